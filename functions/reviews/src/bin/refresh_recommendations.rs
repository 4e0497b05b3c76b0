//! The scheduled recommendation refresh: on every EventBridge event under Lambda, once
//! from a shell.
shared::scheduled!(reviews::refresh::scheduled);
