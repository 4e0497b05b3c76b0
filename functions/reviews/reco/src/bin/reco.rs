//! Offline use of the recommender on the evaluation protocol's files.
//!
//!   reco recommend --train train.csv --users test_users.csv --out recs.csv [knobs]
//!   reco evaluate  --split DIR [knobs]     (NDCG@10 and recall@10 on DIR/test.csv)
//!   reco tune      --split DIR             (grid search on a validation split)
//!   reco bench     --train train.csv --scale S   (fit time on S disjoint copies)
//!
//! Knobs: --neighbours N --alpha A --user-weight E --shrinkage S --similarity-exponent G
//!        --recency-days D --popularity-days D --pair-days D --popularity-blend B;
//!        defaults are the tuned values.

use reco::eval::{evaluate, parse_ids, parse_interactions, recommend_all, Split};
use reco::{fit, Params};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reco: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

fn run(args: Vec<String>) -> Result<(), String> {
    let (command, rest) = args
        .split_first()
        .ok_or("usage: reco recommend|evaluate|tune ...")?;
    let mut options: HashMap<String, String> = HashMap::new();
    for pair in rest.chunks(2) {
        match pair {
            [name, value] if name.starts_with("--") => {
                options.insert(name.trim_start_matches("--").to_string(), value.clone());
            }
            _ => return Err(format!("unexpected arguments {pair:?}")),
        }
    }
    let option = |name: &str| {
        options
            .get(name)
            .cloned()
            .ok_or(format!("--{name} is required"))
    };
    let params = params(&options)?;
    match command.as_str() {
        "recommend" => {
            let train = parse_interactions(&read(&option("train")?)?)?;
            let users = parse_ids(&read(&option("users")?)?);
            let started = Instant::now();
            let model = fit(&train, &params);
            let fitted = started.elapsed();
            let recs = recommend_all(&train, &model, &users, &params, 10);
            let mut out = String::from("customer_id,product_id,rank\n");
            for (user, products) in &recs {
                for (rank, product) in products.iter().enumerate() {
                    out.push_str(&format!("{user},{product},{}\n", rank + 1));
                }
            }
            std::fs::write(option("out")?, out).map_err(|e| e.to_string())?;
            eprintln!(
                "fit {:.3} s, recommend {:.3} ms/user, {} users",
                fitted.as_secs_f64(),
                (started.elapsed() - fitted).as_secs_f64() * 1e3 / users.len().max(1) as f64,
                users.len()
            );
            Ok(())
        }
        "evaluate" => {
            let dir = option("split")?;
            let Split { train, test, users } = split(&dir)?;
            let m = evaluate(&train, &test, &users, &params, 10);
            println!(
                "ndcg@10 {:.4} ±{:.4}  recall@10 {:.4}  users {}  {params:?}",
                m.ndcg, m.ndcg_se, m.recall, m.users
            );
            Ok(())
        }
        "tune" => tune(&option("split")?),
        "bench" => {
            let train = parse_interactions(&read(&option("train")?)?)?;
            let scale: usize = option("scale")?
                .parse()
                .map_err(|e| format!("--scale: {e}"))?;
            bench(&train, scale, &params);
            Ok(())
        }
        other => Err(format!("unknown command {other}")),
    }
}

fn split(dir: &str) -> Result<Split, String> {
    Ok(Split {
        train: parse_interactions(&read(&format!("{dir}/train.csv"))?)?,
        test: parse_interactions(&read(&format!("{dir}/test.csv"))?)?,
        users: parse_ids(&read(&format!("{dir}/test_users.csv"))?),
    })
}

fn params(options: &HashMap<String, String>) -> Result<Params, String> {
    let mut params = Params::default();
    for (name, value) in options {
        let number = || value.parse::<f32>().map_err(|e| format!("--{name}: {e}"));
        match name.as_str() {
            "neighbours" => {
                params.neighbours = value.parse().map_err(|e| format!("--{name}: {e}"))?
            }
            "alpha" => params.alpha = number()?,
            "user-weight" => params.user_weight_exponent = number()?,
            "shrinkage" => params.shrinkage = number()?,
            "similarity-exponent" => params.similarity_exponent = number()?,
            "recency-days" => params.recency_half_life_days = number()?,
            "popularity-days" => params.popularity_half_life_days = number()?,
            "pair-days" => params.pair_half_life_days = number()?,
            "popularity-blend" => params.popularity_blend = number()?,
            "backward" => params.backward_weight = number()?,
            "train" | "users" | "out" | "split" | "scale" => {}
            other => return Err(format!("unknown option --{other}")),
        }
    }
    Ok(params)
}

/// Coordinate ascent over the knobs, on a validation split only.
fn tune(dir: &str) -> Result<(), String> {
    let Split { train, test, users } = split(dir)?;
    let mut best = Params::default();
    let mut best_score = evaluate(&train, &test, &users, &best, 10).ndcg;
    println!("start {best_score:.4} {best:?}");
    type Knob = (&'static str, fn(&mut Params, f32), &'static [f32]);
    let knobs: &[Knob] = &[
        (
            "neighbours",
            |p, v| p.neighbours = v as usize,
            &[10.0, 20.0, 30.0, 50.0, 100.0, 200.0, 400.0],
        ),
        (
            "alpha",
            |p, v| p.alpha = v,
            &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
        ),
        (
            "user-weight",
            |p, v| p.user_weight_exponent = v,
            &[0.0, 0.25, 0.5, 0.75, 1.0],
        ),
        (
            "shrinkage",
            |p, v| p.shrinkage = v,
            &[0.0, 0.5, 1.0, 2.0, 5.0, 10.0],
        ),
        (
            "similarity-exponent",
            |p, v| p.similarity_exponent = v,
            &[0.5, 1.0, 1.5, 2.0, 3.0],
        ),
        (
            "recency-days",
            |p, v| p.recency_half_life_days = v,
            &[0.0, 7.0, 14.0, 30.0, 60.0, 120.0, 240.0],
        ),
        (
            "popularity-days",
            |p, v| p.popularity_half_life_days = v,
            &[0.0, 7.0, 14.0, 30.0, 60.0, 90.0],
        ),
        (
            "pair-days",
            |p, v| p.pair_half_life_days = v,
            &[0.0, 1.0, 7.0, 30.0, 90.0, 180.0],
        ),
        (
            "popularity-blend",
            |p, v| p.popularity_blend = v,
            &[0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.2],
        ),
        (
            "backward",
            |p, v| p.backward_weight = v,
            &[0.0, 0.25, 0.5, 0.75, 1.0],
        ),
    ];
    for round in 0..3 {
        let before = best_score;
        for (name, set, values) in knobs {
            for value in values.iter() {
                let mut candidate = best;
                set(&mut candidate, *value);
                if candidate == best {
                    continue;
                }
                let score = evaluate(&train, &test, &users, &candidate, 10).ndcg;
                if score > best_score + 1e-5 {
                    best_score = score;
                    best = candidate;
                    println!("round {round} {name}={value}: {score:.4}");
                }
            }
        }
        if best_score <= before + 1e-5 {
            break;
        }
    }
    println!("best {best_score:.4} {best:?}");
    Ok(())
}

/// Fit time on `scale` disjoint copies of the shop (the evaluation kit's scale_bench.py
/// layout): median of 3 runs, 1 run from ×30 up; and the process's peak memory. The copies
/// are read into compact interactions as the refresh reads its table: ids interned once.
fn bench(train: &[reco::Interaction], scale: usize, params: &Params) {
    let copies = || {
        let mut compact = reco::Interactions::default();
        for copy in 0..scale {
            for i in train {
                compact.push(
                    &format!("{}#{copy}", i.customer),
                    &format!("{}#{copy}", i.product),
                    i.time,
                    i.strength,
                );
            }
        }
        compact
    };
    let runs = if scale >= 30 { 1 } else { 3 };
    let mut times = Vec::new();
    let mut summary = (0, 0, 0, 0);
    for _ in 0..runs {
        let interactions = copies();
        summary.0 = interactions.customers.len();
        summary.2 = interactions.len();
        let started = Instant::now();
        let model = reco::fit_compact(interactions, params);
        times.push(started.elapsed().as_secs_f64());
        summary.1 = model.products.len();
        summary.3 = model.products_with_neighbours();
    }
    times.sort_by(f64::total_cmp);
    let (customers, products, rows, with_neighbours) = summary;
    println!(
        "scale x{scale}: {customers} customers, {products} products ({with_neighbours} with neighbours), \
         {rows} interactions; fit {:.3} s (median of {runs}); peak RSS {} MiB",
        times[times.len() / 2],
        peak_rss_kib() / 1024
    );
}

/// This process's peak resident memory (Linux), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
