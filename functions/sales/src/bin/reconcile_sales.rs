//! The scheduled reconciler: on every EventBridge event under Lambda, once from a shell.
shared::scheduled!(sales::reconcile::scheduled);
