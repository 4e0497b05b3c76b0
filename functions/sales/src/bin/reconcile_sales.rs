//! The scheduled reconciler: on every EventBridge event under Lambda, once from a shell.
runtime::scheduled!(sales::reconcile::scheduled);
