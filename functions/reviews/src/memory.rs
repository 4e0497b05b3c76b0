//! In-process doubles for the Reviews handlers' tests: the reviews table
//! ([`MemoryReviews`]: one review per customer and product, listings in the indexes'
//! orders), the recommender's table ([`MemoryReco`]: interactions, and a model fitted
//! from them on demand), and the other services' answers ([`MemoryPeers`]: which
//! products are live, which customers exist, who bought what, and an outage on demand).

use crate::domain::{Moderation, ModerationAction, Review, ReviewStatus};
use crate::reco_store::{ActiveModel, Interactions, Recommendations, StoredInteraction};
use crate::store::{average, Listing, Moderated, Reviews, Summary};
use crate::{ForSale, RecommendationPeers, ReviewPeers};
use edge::auth::Principal;
use edge::cursor::Key;
use edge::domain::{Comment, Rating};
use edge::ApiError;
use reco::{Event, Interaction, Model, Neighbour};
use runtime::session::Sessions;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use storage::StoreError;
use testkit::{page_after, Accounts};

/// Clones share one table, as the functions of a service share theirs.
#[derive(Clone, Default)]
pub struct MemoryReviews {
    reviews: Arc<Mutex<BTreeMap<String, Review>>>,
}

impl Reviews for MemoryReviews {
    async fn create(&self, review: &Review) -> Result<bool, StoreError> {
        let mut reviews = self.reviews.lock().unwrap();
        let taken = reviews
            .values()
            .any(|r| r.customer_id == review.customer_id && r.product_id == review.product_id);
        if taken || reviews.contains_key(&review.id) {
            return Ok(false);
        }
        reviews.insert(review.id.clone(), review.clone());
        Ok(true)
    }

    async fn get(&self, id: &str) -> Result<Option<Review>, StoreError> {
        Ok(self.reviews.lock().unwrap().get(id).cloned())
    }

    async fn edit(
        &self,
        id: &str,
        rating: Option<Rating>,
        comment: Option<Comment>,
        now: &str,
    ) -> Result<Option<Review>, StoreError> {
        let mut reviews = self.reviews.lock().unwrap();
        let Some(review) = reviews.get_mut(id) else {
            return Ok(None);
        };
        review.status = ReviewStatus::Pending;
        review.updated_at = now.into();
        review.version += 1;
        if let Some(rating) = rating {
            review.rating = rating;
        }
        if let Some(comment) = comment {
            review.comment = comment;
        }
        Ok(Some(review.clone()))
    }

    async fn moderate(
        &self,
        review: &Review,
        version: i64,
        moderation: Moderation,
        now: &str,
    ) -> Result<Moderated, StoreError> {
        let mut reviews = self.reviews.lock().unwrap();
        let Some(review) = reviews.get_mut(&review.id) else {
            return Ok(Moderated::Gone);
        };
        if review.version != version {
            return Ok(Moderated::Stale);
        }
        review.version += 1;
        review.status = match moderation.action {
            ModerationAction::Approve => ReviewStatus::Approved,
            ModerationAction::Reject => ReviewStatus::Rejected,
        };
        review.updated_at = now.into();
        review.moderation_history.push(moderation);
        Ok(Moderated::Done(review.clone()))
    }

    async fn delete(&self, review: &Review) -> Result<bool, StoreError> {
        Ok(self.reviews.lock().unwrap().remove(&review.id).is_some())
    }

    async fn list(
        &self,
        listing: &Listing<'_>,
        start: Option<Key>,
        limit: i32,
    ) -> Result<(Vec<Review>, Option<Key>), StoreError> {
        let reviews = self.reviews.lock().unwrap();
        let mut matching: Vec<&Review> = reviews
            .values()
            .filter(|r| match listing {
                Listing::ApprovedForProduct(product) => {
                    r.status == ReviewStatus::Approved && r.product_id == *product
                }
                Listing::ByCustomer(customer) => r.customer_id == *customer,
                Listing::ByStatus(status) => r.status == *status,
            })
            .collect();
        // The indexes' order: by creation, newest first but for the moderation queue.
        matching.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
        if !matches!(listing, Listing::ByStatus(_)) {
            matching.reverse();
        }
        Ok(page_after(
            &matching,
            |r| &r.id,
            start.as_ref(),
            limit as usize,
        ))
    }

    async fn summary(&self, product_id: &str) -> Result<Summary, StoreError> {
        let reviews = self.reviews.lock().unwrap();
        let ratings: Vec<i64> = reviews
            .values()
            .filter(|r| r.status == ReviewStatus::Approved && r.product_id == product_id)
            .map(|r| r.rating.stars())
            .collect();
        let count = ratings.len() as u64;
        Ok(Summary {
            count,
            average_rating: average(count, ratings.iter().sum()),
        })
    }
}

/// The recommender's table: interactions by (customer, event), and the model a refit
/// made from them (the scheduled refresh's fit, in-process).
#[derive(Clone, Default)]
pub struct MemoryReco {
    /// By (customer, event), in order as the table keeps them: a history is a range.
    events: Arc<Mutex<BTreeMap<(String, String), StoredInteraction>>>,
    /// The review version each review's event follows (tombstones included).
    review_versions: Arc<Mutex<HashMap<(String, String), i64>>>,
    model: Arc<Mutex<Option<(ActiveModel, Model)>>>,
}

impl MemoryReco {
    /// The interaction recorded for an event, if any.
    pub fn event(&self, customer_id: &str, event_id: &str) -> Option<StoredInteraction> {
        let key = (customer_id.to_string(), event_id.to_string());
        self.events.lock().unwrap().get(&key).cloned()
    }

    pub fn count(&self) -> usize {
        self.events.lock().unwrap().len()
    }

    /// Fits a model on every interaction and makes it the active one.
    pub fn refit(&self) {
        let interactions: Vec<Interaction> = self
            .events
            .lock()
            .unwrap()
            .values()
            .map(|e| Interaction {
                customer: e.customer_id.clone(),
                product: e.product_id.clone(),
                time: e.time,
                strength: e.strength,
            })
            .collect();
        let model = reco::fit(&interactions, &reco::Params::default());
        let active = ActiveModel {
            version: edge::ids::new_id(),
            generated_at: infra::time::now_rfc3339(),
        };
        *self.model.lock().unwrap() = Some((active, model));
    }
}

impl Interactions for MemoryReco {
    async fn follow_review(
        &self,
        customer_id: &str,
        event_id: &str,
        version: i64,
        interaction: Option<&StoredInteraction>,
    ) -> Result<(), StoreError> {
        let key = (customer_id.to_string(), event_id.to_string());
        let mut versions = self.review_versions.lock().unwrap();
        if versions.get(&key).is_some_and(|&newer| newer >= version) {
            return Ok(());
        }
        versions.insert(key.clone(), version);
        let mut events = self.events.lock().unwrap();
        match interaction {
            Some(interaction) => events.insert(key, interaction.clone()),
            None => events.remove(&key),
        };
        Ok(())
    }
}

impl Recommendations for MemoryReco {
    async fn record_all(&self, interactions: &[StoredInteraction]) -> Result<(), StoreError> {
        let mut events = self.events.lock().unwrap();
        for interaction in interactions {
            let key = (
                interaction.customer_id.clone(),
                interaction.event_id.clone(),
            );
            events.insert(key, interaction.clone());
        }
        Ok(())
    }

    async fn history(&self, customer_id: &str) -> Result<Vec<Event>, StoreError> {
        let events = self.events.lock().unwrap();
        Ok(events
            .range((customer_id.to_string(), String::new())..)
            .take_while(|((customer, _), _)| customer == customer_id)
            .map(|(_, e)| Event {
                product: e.product_id.clone(),
                time: e.time,
                strength: e.strength,
            })
            .collect())
    }

    async fn active_model(&self) -> Result<Option<ActiveModel>, StoreError> {
        Ok(self.model.lock().unwrap().as_ref().map(|(a, _)| a.clone()))
    }

    async fn neighbours(
        &self,
        version: &str,
        products: &[String],
    ) -> Result<HashMap<String, Vec<Neighbour>>, StoreError> {
        let model = self.model.lock().unwrap();
        let Some((_, model)) = model.as_ref().filter(|(a, _)| a.version == version) else {
            return Ok(HashMap::new());
        };
        Ok(products
            .iter()
            .filter_map(|p| Some((p.clone(), model.neighbours.get(p)?.clone())))
            .collect())
    }

    async fn popular(&self, version: &str) -> Result<Vec<(String, f32)>, StoreError> {
        let model = self.model.lock().unwrap();
        Ok(model
            .as_ref()
            .filter(|(a, _)| a.version == version)
            .map(|(_, m)| m.popular.clone())
            .unwrap_or_default())
    }
}

/// The other services' answers: live products, customers and purchases, and an
/// outage switch.
#[derive(Clone, Default)]
pub struct MemoryPeers {
    pub live: HashSet<String>,
    pub customers: HashSet<String>,
    /// (customer, product)
    pub purchases: HashSet<(String, String)>,
    pub down: bool,
    /// Whose tokens are still current (Customers' answer).
    pub accounts: Accounts,
}

impl Sessions for MemoryPeers {
    async fn is_current(&self, principal: &Principal) -> Result<bool, ApiError> {
        let current = self.accounts.is_current(principal).await?;
        self.answer(current)
    }
}

impl MemoryPeers {
    fn answer<T>(&self, value: T) -> Result<T, ApiError> {
        if self.down {
            return Err(ApiError::Unavailable("a service did not answer".into()));
        }
        Ok(value)
    }
}

impl ReviewPeers for MemoryPeers {
    async fn product_exists(&self, product_id: &str) -> Result<bool, ApiError> {
        self.answer(self.live.contains(product_id))
    }

    async fn purchased(&self, customer_id: &str, product_id: &str) -> Result<bool, ApiError> {
        let bought = (customer_id.to_string(), product_id.to_string());
        self.answer(self.purchases.contains(&bought))
    }
}

impl RecommendationPeers for MemoryPeers {
    async fn customer_exists(&self, customer_id: &str) -> Result<bool, ApiError> {
        self.answer(self.customers.contains(customer_id))
    }
}

impl ForSale for MemoryPeers {
    async fn available(&self, products: &[String]) -> Result<HashSet<String>, ApiError> {
        let live = products.iter().filter(|p| self.live.contains(*p)).cloned();
        self.answer(live.collect())
    }
}
