runtime::function!(customers::handlers::refund_charge::<customers::store::Store>);
