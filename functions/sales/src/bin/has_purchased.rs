runtime::function!(sales::handlers::has_purchased::<sales::store::Store>);
