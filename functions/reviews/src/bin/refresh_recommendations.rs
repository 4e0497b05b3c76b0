//! The scheduled recommendation refresh: on every EventBridge event under Lambda, once
//! from a shell.
runtime::scheduled!(reviews::refresh::scheduled);
