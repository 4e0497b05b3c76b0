//! Item-to-item collaborative filtering in the Amazon style, with no I/O.
//!
//! [`fit`] learns, from interactions (customer, product, time, strength), the top-K most
//! similar products of every product and the products' popularity. [`recommend`] scores a
//! customer from their own interactions and those neighbour lists, so new activity counts
//! at once; it never returns an excluded (e.g. already bought) product, and falls back to
//! popularity for a customer without history.
//!
//! Similarity of products i and j (both bought by a set of customers U_ij):
//!
//! ```text
//!   c(i,j)   = Σ_{u ∈ U_ij} w(u),    w(u) = 1 / |items(u)|^user_weight_exponent
//!   sim(i,j) = c(i,j) / (c(i)^alpha · c(j)^(1-alpha)) · c(i,j) / (c(i,j) + shrinkage)
//! ```
//!
//! where c(i) = Σ_{u buys i} w(u): an asymmetric cosine over IDF-weighted customers,
//! shrunk towards 0 when little evidence supports it. A customer's score for j is
//! `Σ_h recency(h) · sim(h,j)^similarity_exponent` over their products h, with
//! `recency(h) = 0.5^(age(h) / half_life)` relative to their latest interaction.

pub mod eval;

use std::collections::HashMap;

/// One interaction: a purchase, or an approved review (its rating as strength).
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub customer: String,
    pub product: String,
    /// Unix seconds.
    pub time: i64,
    pub strength: f32,
}

/// The tunable knobs, with the values chosen on a validation split (see README).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Neighbours kept per product.
    pub neighbours: usize,
    /// 0.5 = cosine; higher favours neighbours that are popular themselves less.
    pub alpha: f32,
    /// Down-weights customers who buy very many products (IDF-like): 0 = off.
    pub user_weight_exponent: f32,
    /// Evidence needed before a similarity counts fully (in weighted customers).
    pub shrinkage: f32,
    /// Sharpens (>1) or flattens (<1) similarities when scoring.
    pub similarity_exponent: f32,
    /// Half-life of a customer's own interactions when scoring, in days; 0 = no decay.
    pub recency_half_life_days: f32,
    /// Half-life of popularity, in days before the newest interaction; 0 = all time.
    pub popularity_half_life_days: f32,
    /// Half-life of co-occurrence, in days between the two purchases: products bought
    /// close together count more; 0 = no decay.
    pub pair_half_life_days: f32,
    /// Weight of (normalized) popularity added to every candidate's score; 0 = none.
    pub popularity_blend: f32,
    /// Weight of a co-purchase where the neighbour came *before* the product (1 = as
    /// much as after): what customers buy next is the better predictor.
    pub backward_weight: f32,
}

/// Chosen by coordinate ascent on NDCG@10 of a validation split cut from the
/// evaluation's train.csv (`reco tune`); the test split was never used for tuning.
impl Default for Params {
    fn default() -> Self {
        Self {
            neighbours: 100,
            alpha: 0.3,
            user_weight_exponent: 0.25,
            shrinkage: 0.5,
            similarity_exponent: 1.0,
            recency_half_life_days: 60.0,
            popularity_half_life_days: 30.0,
            pair_half_life_days: 180.0,
            popularity_blend: 0.6,
            backward_weight: 0.25,
        }
    }
}

impl Params {
    /// Plain item-to-item cosine over binary co-purchases: the reference point.
    pub fn plain_cosine(neighbours: usize) -> Self {
        Self {
            neighbours,
            alpha: 0.5,
            user_weight_exponent: 0.0,
            shrinkage: 0.0,
            similarity_exponent: 1.0,
            recency_half_life_days: 0.0,
            popularity_half_life_days: 0.0,
            pair_half_life_days: 0.0,
            popularity_blend: 0.0,
            backward_weight: 1.0,
        }
    }
}

/// A similar product and how similar it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub product: String,
    pub similarity: f32,
}

/// A fitted model: neighbour lists and popularity.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub neighbours: HashMap<String, Vec<Neighbour>>,
    /// Most popular first, with a score (decayed count of customers).
    pub popular: Vec<(String, f32)>,
}

/// Where [`recommend`] finds neighbour lists: a fitted [`Model`], or the lists a service
/// loaded from its store for one customer's products.
pub trait NeighbourLists {
    fn neighbours(&self, product: &str) -> &[Neighbour];
}

impl NeighbourLists for Model {
    fn neighbours(&self, product: &str) -> &[Neighbour] {
        self.neighbours
            .get(product)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

impl NeighbourLists for HashMap<String, Vec<Neighbour>> {
    fn neighbours(&self, product: &str) -> &[Neighbour] {
        self.get(product).map(Vec::as_slice).unwrap_or(&[])
    }
}

const DAY: f64 = 86_400.0;

/// Dense indices of customers and products, and each customer's distinct products.
struct Matrix {
    products: Vec<String>,
    /// Per customer: (product index, latest time), sorted by product index.
    rows: Vec<Vec<(u32, i64)>>,
    /// Per product: the customers who interacted with it, and when last.
    columns: Vec<Vec<(u32, i64)>>,
    newest: i64,
}

fn matrix(interactions: &[Interaction]) -> Matrix {
    let mut customer_index: HashMap<&str, u32> = HashMap::new();
    let mut product_index: HashMap<&str, u32> = HashMap::new();
    let mut products = Vec::new();
    let mut rows: Vec<HashMap<u32, i64>> = Vec::new();
    let mut newest = i64::MIN;
    for event in interactions.iter().filter(|e| e.strength > 0.0) {
        let next = customer_index.len() as u32;
        let customer = *customer_index.entry(&event.customer).or_insert(next);
        if customer as usize == rows.len() {
            rows.push(HashMap::new());
        }
        let next = product_index.len() as u32;
        let product = *product_index.entry(&event.product).or_insert_with(|| {
            products.push(event.product.clone());
            next
        });
        let latest = rows[customer as usize].entry(product).or_insert(event.time);
        *latest = (*latest).max(event.time);
        newest = newest.max(event.time);
    }
    let rows: Vec<Vec<(u32, i64)>> = rows
        .into_iter()
        .map(|row| {
            let mut row: Vec<(u32, i64)> = row.into_iter().collect();
            row.sort_unstable();
            row
        })
        .collect();
    let mut columns = vec![Vec::new(); products.len()];
    for (customer, row) in rows.iter().enumerate() {
        for &(product, time) in row {
            columns[product as usize].push((customer as u32, time));
        }
    }
    Matrix {
        products,
        rows,
        columns,
        newest,
    }
}

/// Learns neighbour lists and popularity from interactions.
pub fn fit(interactions: &[Interaction], params: &Params) -> Model {
    let m = matrix(interactions);
    let n_products = m.products.len();
    let user_weight: Vec<f32> = m
        .rows
        .iter()
        .map(|row| (row.len().max(1) as f32).powf(-params.user_weight_exponent))
        .collect();
    let mass: Vec<f32> = m
        .columns
        .iter()
        .map(|customers| {
            customers
                .iter()
                .map(|&(u, _)| user_weight[u as usize])
                .sum()
        })
        .collect();

    // exp(-dt · rate) halves every pair_half_life_days.
    let pair_rate = if params.pair_half_life_days > 0.0 {
        std::f64::consts::LN_2 / (params.pair_half_life_days as f64 * DAY)
    } else {
        0.0
    };
    // Each product's list is independent: split the products across the cores.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(n_products.max(1));
    let chunk = n_products.div_ceil(threads.max(1)).max(1);
    let mut lists: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_products];
    std::thread::scope(|scope| {
        for (part, out) in lists.chunks_mut(chunk).enumerate() {
            let (m, user_weight, mass) = (&m, &user_weight, &mass);
            scope.spawn(move || {
                let pair_rate = pair_rate;
                let mut co = vec![0f32; n_products];
                let mut touched = Vec::new();
                for (offset, slot) in out.iter_mut().enumerate() {
                    let i = part * chunk + offset;
                    for &(u, t_i) in &m.columns[i] {
                        let w = user_weight[u as usize];
                        for &(j, t_j) in &m.rows[u as usize] {
                            if co[j as usize] == 0.0 {
                                touched.push(j);
                            }
                            let together = if pair_rate > 0.0 {
                                (-((t_i - t_j).abs() as f64) * pair_rate).exp() as f32
                            } else {
                                1.0
                            };
                            let direction = if t_j < t_i {
                                params.backward_weight
                            } else {
                                1.0
                            };
                            co[j as usize] += w * together * direction;
                        }
                    }
                    let mut scored: Vec<(u32, f32)> = touched
                        .iter()
                        .filter(|&&j| j as usize != i)
                        .map(|&j| {
                            let c = co[j as usize];
                            let norm = mass[i].powf(params.alpha)
                                * mass[j as usize].powf(1.0 - params.alpha);
                            let shrink = if params.shrinkage > 0.0 {
                                c / (c + params.shrinkage)
                            } else {
                                1.0
                            };
                            (j, c / norm * shrink)
                        })
                        .collect();
                    for &j in &touched {
                        co[j as usize] = 0.0;
                    }
                    touched.clear();
                    *slot = top(scored.as_mut_slice(), params.neighbours);
                }
            });
        }
    });

    let neighbours = lists
        .into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(i, list)| {
            let list = list
                .into_iter()
                .map(|(j, similarity)| Neighbour {
                    product: m.products[j as usize].clone(),
                    similarity,
                })
                .collect();
            (m.products[i].clone(), list)
        })
        .collect();
    Model {
        neighbours,
        popular: popularity(&m, params),
    }
}

/// The `k` best (highest score, then lowest index) of `scored`, best first.
fn top(scored: &mut [(u32, f32)], k: usize) -> Vec<(u32, f32)> {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if scored.len() > k && k > 0 {
        scored.select_nth_unstable_by(k - 1, order);
    }
    let mut best = scored[..k.min(scored.len())].to_vec();
    best.sort_unstable_by(order);
    best
}

/// Customers per product, each counted with a weight that halves every
/// `popularity_half_life_days` before the newest interaction.
fn popularity(m: &Matrix, params: &Params) -> Vec<(String, f32)> {
    let mut score = vec![0f32; m.products.len()];
    for row in &m.rows {
        for &(product, time) in row {
            score[product as usize] += decay(m.newest - time, params.popularity_half_life_days);
        }
    }
    let mut ranked: Vec<(u32, f32)> = score
        .into_iter()
        .enumerate()
        .map(|(i, s)| (i as u32, s))
        .collect();
    let ranked = top(&mut ranked, 1_000);
    ranked
        .into_iter()
        .map(|(i, s)| (m.products[i as usize].clone(), s))
        .collect()
}

fn decay(age_seconds: i64, half_life_days: f32) -> f32 {
    if half_life_days <= 0.0 {
        return 1.0;
    }
    0.5f64.powf(age_seconds.max(0) as f64 / (half_life_days as f64 * DAY)) as f32
}

/// One of the customer's own interactions, as the scorer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub product: String,
    pub time: i64,
    pub strength: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// From the customer's own history.
    Personalized,
    /// The customer has no history (or none with neighbours): popular products.
    Popular,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recommendations {
    pub items: Vec<(String, f32)>,
    pub source: Source,
}

/// The `k` best products for a customer with this `history`, none of them `excluded`
/// (the history itself is always excluded). Popular products fill a short list.
pub fn recommend(
    lists: &impl NeighbourLists,
    popular: &[(String, f32)],
    history: &[Event],
    params: &Params,
    k: usize,
    excluded: impl Fn(&str) -> bool,
) -> Recommendations {
    let latest = history.iter().map(|e| e.time).max().unwrap_or(0);
    // One weight per distinct product: its most recent interaction counts.
    let mut weights: HashMap<&str, f32> = HashMap::new();
    for event in history.iter().filter(|e| e.strength > 0.0) {
        let w = decay(latest - event.time, params.recency_half_life_days);
        let entry = weights.entry(&event.product).or_insert(0.0);
        *entry = entry.max(w);
    }
    let bought: std::collections::HashSet<&str> =
        history.iter().map(|e| e.product.as_str()).collect();
    let seen = |p: &str| bought.contains(p) || excluded(p);
    let mut scores: HashMap<&str, f32> = HashMap::new();
    for (product, weight) in &weights {
        for neighbour in lists.neighbours(product) {
            if !seen(&neighbour.product) {
                *scores.entry(&neighbour.product).or_insert(0.0) +=
                    weight * neighbour.similarity.powf(params.similarity_exponent);
            }
        }
    }
    if params.popularity_blend > 0.0 && !scores.is_empty() {
        // Popularity as a prior, on the scale of this customer's best personal score.
        let best_personal = scores.values().copied().fold(0f32, f32::max);
        let best_popularity = popular
            .first()
            .map_or(1.0, |(_, s)| s.max(f32::MIN_POSITIVE));
        for (product, popularity) in popular.iter().take(200) {
            if !seen(product) {
                *scores.entry(product).or_insert(0.0) +=
                    params.popularity_blend * best_personal * popularity / best_popularity;
            }
        }
    }
    let mut items: Vec<(String, f32)> = scores
        .into_iter()
        .map(|(p, s)| (p.to_string(), s))
        .collect();
    items.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    items.truncate(k);
    let source = if items.is_empty() {
        Source::Popular
    } else {
        Source::Personalized
    };
    if items.len() < k {
        // Popular products fill the rest, below every personal score.
        let floor = items.last().map_or(1.0, |(_, s)| *s);
        let best_popularity = popular
            .first()
            .map_or(1.0, |(_, s)| s.max(f32::MIN_POSITIVE));
        for (product, popularity) in popular {
            if items.len() >= k {
                break;
            }
            if !seen(product) && !items.iter().any(|(p, _)| p == product) {
                items.push((product.clone(), floor * 0.5 * popularity / best_popularity));
            }
        }
    }
    Recommendations { items, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(customer: &str, product: &str, time: i64) -> Interaction {
        Interaction {
            customer: customer.into(),
            product: product.into(),
            time,
            strength: 1.0,
        }
    }

    /// Two clusters: {a, b, c} bought together, {x, y} bought together; d is popular.
    fn shop() -> Vec<Interaction> {
        let mut events = Vec::new();
        for (n, customer) in ["u1", "u2", "u3", "u4"].iter().enumerate() {
            events.push(event(customer, "a", n as i64));
            events.push(event(customer, "b", n as i64));
            if n < 2 {
                events.push(event(customer, "c", n as i64));
            }
            events.push(event(customer, "d", n as i64));
        }
        for customer in ["v1", "v2", "v3"] {
            events.push(event(customer, "x", 10));
            events.push(event(customer, "y", 10));
            events.push(event(customer, "d", 10));
        }
        events
    }

    #[test]
    fn neighbours_come_from_co_occurrence() {
        let model = fit(&shop(), &Params::default());
        let of_a: Vec<&str> = model
            .neighbours("a")
            .iter()
            .map(|n| n.product.as_str())
            .collect();
        assert_eq!(of_a[0], "b", "{of_a:?}");
        assert!(!of_a.contains(&"x") && !of_a.contains(&"a"));
        assert_eq!(model.popular[0].0, "d");
    }

    #[test]
    fn recommendations_follow_the_history_and_skip_what_was_bought() {
        let model = fit(&shop(), &Params::default());
        let history = [Event {
            product: "a".into(),
            time: 0,
            strength: 1.0,
        }];
        let recs = recommend(
            &model,
            &model.popular,
            &history,
            &Params::default(),
            3,
            |_| false,
        );
        assert_eq!(recs.source, Source::Personalized);
        let products: Vec<&str> = recs.items.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(products[0], "b");
        assert!(!products.contains(&"a"));
        // Excluded products (e.g. deleted) never appear.
        let recs = recommend(
            &model,
            &model.popular,
            &history,
            &Params::default(),
            10,
            |p| p == "b",
        );
        assert!(recs.items.iter().all(|(p, _)| p != "b" && p != "a"));
    }

    #[test]
    fn no_history_means_popular_products() {
        let model = fit(&shop(), &Params::default());
        let recs = recommend(&model, &model.popular, &[], &Params::default(), 2, |_| {
            false
        });
        assert_eq!(recs.source, Source::Popular);
        assert_eq!(recs.items[0].0, "d");
    }

    #[test]
    fn shrinkage_and_weights_keep_scores_finite() {
        let params = Params {
            shrinkage: 5.0,
            user_weight_exponent: 1.0,
            alpha: 0.8,
            recency_half_life_days: 30.0,
            popularity_half_life_days: 30.0,
            ..Params::default()
        };
        let model = fit(&shop(), &params);
        for list in model.neighbours.values() {
            assert!(list
                .iter()
                .all(|n| n.similarity.is_finite() && n.similarity > 0.0));
            assert!(list.windows(2).all(|w| w[0].similarity >= w[1].similarity));
        }
    }
}
