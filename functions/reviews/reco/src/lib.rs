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

/// The tunable knobs, with the values chosen on a validation split (see
/// docs/recommendations.md).
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
            popularity_half_life_days: 14.0,
            pair_half_life_days: 90.0,
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

/// Distinct strings numbered in order of arrival: each id is held once, however many
/// interactions name it.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl Ids {
    /// The number of `name`, given it if new.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.index.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Interactions with interned ids in compact rows (16 bytes each): what [`fit_compact`]
/// reads. Fed one interaction at a time, so a reader can stream them in.
#[derive(Debug, Default, Clone)]
pub struct Interactions {
    pub customers: Ids,
    pub products: Ids,
    /// (customer, product, time) of every interaction with a positive strength.
    rows: Vec<(u32, u32, i64)>,
}

impl Interactions {
    pub fn push(&mut self, customer: &str, product: &str, time: i64, strength: f32) {
        if strength > 0.0 {
            let row = (self.customers.id(customer), self.products.id(product), time);
            self.rows.push(row);
        }
    }

    /// Interactions counted (those with a positive strength).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl From<&[Interaction]> for Interactions {
    fn from(interactions: &[Interaction]) -> Self {
        let mut compact = Self::default();
        for i in interactions {
            compact.push(&i.customer, &i.product, i.time, i.strength);
        }
        compact
    }
}

/// A sparse matrix in compressed rows, one array per field: row `r` holds positions
/// `start[r]..start[r + 1]` of `columns`, `times` and `growth`.
struct Sparse {
    start: Vec<usize>,
    columns: Vec<u32>,
    /// The latest time of each cell.
    times: Vec<i64>,
    /// Per cell: exp(rate · (time − newest)), so that the decay between two cells is a
    /// ratio of two of these rather than an exponential per pair; and its inverse.
    growth: Vec<f64>,
    inverse_growth: Vec<f64>,
}

impl Sparse {
    fn row(&self, r: usize) -> std::ops::Range<usize> {
        self.start[r]..self.start[r + 1]
    }
}

/// Where each of `n` groups starts once cells are placed group by group: the running count
/// of the cells of each `key` (a counting sort's offsets; `n + 1` of them).
fn offsets(keys: impl Iterator<Item = u32>, n: usize) -> Vec<usize> {
    let mut start = vec![0usize; n + 1];
    for key in keys {
        start[key as usize + 1] += 1;
    }
    for k in 0..n {
        start[k + 1] += start[k];
    }
    start
}

/// The cells (row, column, time) as compressed rows, each row in time order (then column):
/// a row's cells before a given time are a prefix of it. A repeated cell keeps its latest
/// time. Cells are placed by a counting pass over rows; only each (short) row is sorted.
fn sparse(cells: Vec<(u32, u32, i64)>, rows: usize, rate: f64, newest: i64) -> Sparse {
    let start = offsets(cells.iter().map(|&(row, _, _)| row), rows);
    let mut placed = vec![(0i64, 0u32); cells.len()];
    let mut filled = start.clone();
    for (row, column, time) in cells {
        placed[filled[row as usize]] = (time, column);
        filled[row as usize] += 1;
    }
    let (mut columns, mut times) = (
        Vec::with_capacity(placed.len()),
        Vec::with_capacity(placed.len()),
    );
    let mut kept = vec![0usize; rows + 1];
    for r in 0..rows {
        let row = &mut placed[start[r]..start[r + 1]];
        // By column, latest last: keep each column's latest time.
        row.sort_unstable_by_key(|&(time, column)| (column, time));
        let mut distinct: Vec<(i64, u32)> = Vec::with_capacity(row.len());
        for &(time, column) in row.iter() {
            match distinct.last_mut() {
                Some(last) if last.1 == column => last.0 = time,
                _ => distinct.push((time, column)),
            }
        }
        distinct.sort_unstable();
        kept[r + 1] = kept[r] + distinct.len();
        for (time, column) in distinct {
            times.push(time);
            columns.push(column);
        }
    }
    let growth: Vec<f64> = times
        .iter()
        .map(|&time| (rate * (time - newest) as f64).exp())
        .collect();
    let inverse_growth = growth.iter().map(|g| 1.0 / g).collect();
    Sparse {
        start: kept,
        columns,
        times,
        growth,
        inverse_growth,
    }
}

/// The customers of each product, in customer order (the order in which a product's
/// co-occurrences are summed): product `i` holds positions `start[i]..start[i + 1]`.
struct Columns {
    start: Vec<usize>,
    customers: Vec<u32>,
    growth: Vec<f64>,
    /// Per cell: where, in the customer's time-ordered row of `Matrix::by_customer`, the
    /// products bought strictly before this one end.
    earlier_end: Vec<usize>,
}

impl Columns {
    fn column(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i]..self.start[i + 1]
    }
}

/// `rows` turned into columns, by a counting pass rather than a second sort.
fn columns(rows: &Sparse, n_columns: usize) -> Columns {
    let start = offsets(rows.columns.iter().copied(), n_columns);
    let cells = rows.columns.len();
    let (mut customers, mut growth, mut earlier_end) =
        (vec![0u32; cells], vec![0f64; cells], vec![0usize; cells]);
    let mut filled = start.clone();
    for u in 0..rows.start.len() - 1 {
        let mut run_start = rows.start[u];
        for k in rows.row(u) {
            if rows.times[k] != rows.times[run_start] {
                run_start = k;
            }
            let c = rows.columns[k] as usize;
            let at = filled[c];
            filled[c] += 1;
            (customers[at], growth[at], earlier_end[at]) = (u as u32, rows.growth[k], run_start);
        }
    }
    Columns {
        start,
        customers,
        growth,
        earlier_end,
    }
}

/// Each customer's distinct products (latest time each), by customer and by product.
struct Matrix {
    by_customer: Sparse,
    by_product: Columns,
    newest: i64,
}

fn matrix(interactions: Interactions, rate: f64) -> Matrix {
    let newest = interactions.rows.iter().map(|r| r.2).max().unwrap_or(0);
    let (customers, products) = (interactions.customers.len(), interactions.products.len());
    let by_customer = sparse(interactions.rows, customers, rate, newest);
    let by_product = columns(&by_customer, products);
    Matrix {
        by_customer,
        by_product,
        newest,
    }
}

/// Learns neighbour lists and popularity from interactions.
pub fn fit(interactions: &[Interaction], params: &Params) -> Model {
    fit_compact(Interactions::from(interactions), params).into_model()
}

/// A fitted model over interned product ids: what [`fit_compact`] answers.
#[derive(Debug, Default)]
pub struct CompactModel {
    pub products: Ids,
    /// Per product id: its neighbours (product id, similarity), most similar first.
    pub neighbours: Vec<Vec<(u32, f32)>>,
    /// Most popular first.
    pub popular: Vec<(u32, f32)>,
}

impl CompactModel {
    /// The same model with product ids as strings.
    pub fn into_model(self) -> Model {
        let name = |id: u32| self.products.name(id).to_string();
        let neighbours = self
            .neighbours
            .iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(i, list)| {
                let list = list
                    .iter()
                    .map(|&(j, similarity)| Neighbour {
                        product: name(j),
                        similarity,
                    })
                    .collect();
                (name(i as u32), list)
            })
            .collect();
        let popular = self.popular.iter().map(|&(i, s)| (name(i), s)).collect();
        Model {
            neighbours,
            popular,
        }
    }

    /// Products with at least one neighbour.
    pub fn products_with_neighbours(&self) -> usize {
        self.neighbours.iter().filter(|l| !l.is_empty()).count()
    }
}

/// A product's neighbours: (product id, similarity), most similar first.
type List = Vec<(u32, f32)>;

/// [`fit`] over interned ids and compact arrays: the refresh's and the benchmark's fit.
pub fn fit_compact(interactions: Interactions, params: &Params) -> CompactModel {
    // exp(-dt · rate) halves every pair_half_life_days.
    let pair_rate = if params.pair_half_life_days > 0.0 {
        std::f64::consts::LN_2 / (params.pair_half_life_days as f64 * DAY)
    } else {
        0.0
    };
    let products = interactions.products.clone();
    let m = matrix(interactions, pair_rate);
    let n_products = products.len();
    let n_customers = m.by_customer.start.len() - 1;
    let user_weight: Vec<f32> = (0..n_customers)
        .map(|u| (m.by_customer.row(u).len().max(1) as f32).powf(-params.user_weight_exponent))
        .collect();
    let mass: Vec<f32> = (0..n_products)
        .map(|i| {
            m.by_product.customers[m.by_product.column(i)]
                .iter()
                .map(|&u| user_weight[u as usize])
                .sum()
        })
        .collect();

    // The normalization's two factors, once per product rather than once per pair.
    let own_mass: Vec<f32> = mass.iter().map(|m| m.powf(params.alpha)).collect();
    let their_mass: Vec<f32> = mass.iter().map(|m| m.powf(1.0 - params.alpha)).collect();

    // Each product's list is independent: the cores take blocks of products in turn
    // (popular products, which cost the most, tend to come first).
    const BLOCK: usize = 64;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(n_products.max(1));
    let next_block = std::sync::atomic::AtomicUsize::new(0);
    let mut lists: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_products];
    let done: Vec<Vec<(usize, List)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (m, user_weight, next_block) = (&m, &user_weight, &next_block);
                let (own_mass, their_mass) = (&own_mass, &their_mass);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    let mut co = vec![0f32; n_products];
                    // The products met for the current one: a buffer written by index, so
                    // the inner loops hold no call that could grow it; `stamp` marks those
                    // met (with the current product's number + 1).
                    let mut touched = vec![0u32; n_products];
                    let mut stamp = vec![0u32; n_products];
                    let mut met = 0;
                    loop {
                        let first =
                            next_block.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                        if first >= n_products {
                            return out;
                        }
                        #[allow(clippy::needless_range_loop)] // i indexes several arrays
                        for i in first..(first + BLOCK).min(n_products) {
                            let mark = i as u32 + 1;
                            let (p, c) = (&m.by_product, &m.by_customer);
                            for at_i in p.column(i) {
                                let (u, g_i) = (p.customers[at_i] as usize, p.growth[at_i]);
                                let w = user_weight[u];
                                // exp(-rate·|t_i − t_j|) is g_j / g_i before t_i and g_i / g_j after.
                                let (before, after) = (
                                    f64::from(w * params.backward_weight) / g_i,
                                    f64::from(w) * g_i,
                                );
                                let row = c.row(u);
                                // The customer's products bought before t_i (scaled by
                                // g_j), then the others (by 1 / g_j).
                                let split = p.earlier_end[at_i];
                                let halves = [
                                    (row.start..split, before, &c.growth),
                                    (split..row.end, after, &c.inverse_growth),
                                ];
                                for (cells, scale, factors) in halves {
                                    let js = &c.columns[cells.clone()];
                                    for (&j, &factor) in js.iter().zip(&factors[cells]) {
                                        if stamp[j as usize] != mark {
                                            stamp[j as usize] = mark;
                                            touched[met] = j;
                                            met += 1;
                                        }
                                        co[j as usize] += (scale * factor) as f32;
                                    }
                                }
                            }
                            let touched = &touched[..met];
                            let mut scored: Vec<(u32, f32)> = touched
                                .iter()
                                .filter(|&&j| j as usize != i && co[j as usize] > 0.0)
                                .map(|&j| {
                                    let c = co[j as usize];
                                    let norm = own_mass[i] * their_mass[j as usize];
                                    let shrink = if params.shrinkage > 0.0 {
                                        c / (c + params.shrinkage)
                                    } else {
                                        1.0
                                    };
                                    (j, c / norm * shrink)
                                })
                                .collect();
                            for &j in touched {
                                co[j as usize] = 0.0;
                            }
                            met = 0;
                            out.push((i, top(scored.as_mut_slice(), params.neighbours)));
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a fit worker panicked"))
            .collect()
    });
    for (i, list) in done.into_iter().flatten() {
        lists[i] = list;
    }
    let popular = popularity(&m, n_products, params);
    CompactModel {
        products,
        neighbours: lists,
        popular,
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
fn popularity(m: &Matrix, n_products: usize, params: &Params) -> Vec<(u32, f32)> {
    let mut score = vec![0f32; n_products];
    for (&product, &time) in m.by_customer.columns.iter().zip(&m.by_customer.times) {
        score[product as usize] += decay(m.newest - time, params.popularity_half_life_days);
    }
    let mut ranked: Vec<(u32, f32)> = score
        .into_iter()
        .enumerate()
        .map(|(i, s)| (i as u32, s))
        .collect();
    top(&mut ranked, 1_000)
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
