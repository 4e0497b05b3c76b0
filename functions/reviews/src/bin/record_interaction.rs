shared::function!(reviews::recommendations::record_interaction);
