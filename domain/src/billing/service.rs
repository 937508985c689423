//! The billing service: what the admin console asks of it (behind the verified [`Caller`] and the
//! `billing.manage` permission) and what the providers tell it (verified, then re-fetched, then applied).

use super::BillingError;
use super::iyzico::{Basket, IyzicoClient};
use super::plans::{Interval, Plan, Plans};
use super::sandbox::Sandbox;
use super::sandbox_iyzico::IyzicoSandbox;
use super::settings::{BillingSettings, ProviderKind, SandboxScheme};
use super::signatures::StripeWebhookKeys;
use super::status::{Access, SubscriptionStatus};
use super::store::{self, Applied, EventRef, Snapshot};
use super::stripe::{NewCheckout, StripeClient};
use crate::entities::control::tenant;
use crate::entities::tenant::{billing_checkout, subscription};
use crate::error::{DomainError, DomainResult};
use crate::ids::TenantId;
use crate::mail::Mailer;
use crate::tenancy::{Tenancy, Workspace};
use crate::workspace::Caller;
use crate::workspace::audit::{self, Actor};
use crate::workspace::control_changes::Sides;
use chrono::{DateTime, TimeZone as _, Utc};
use model::Permission;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, EntityTrait as _};
use sea_orm::{QueryFilter as _, QueryOrder as _, QuerySelect as _};
use serde_json::{Value, json};
use std::sync::Arc;

/// The name of the scheduled re-fetch in the job scheduler.
pub const REFETCH_JOB: &str = "billing-refetch";

pub struct Billing {
    pub(crate) settings: BillingSettings,
    control: DatabaseConnection,
    tenancy: Arc<Tenancy>,
    mailer: Arc<Mailer>,
    stripe: Option<StripeClient>,
    webhook_keys: Option<StripeWebhookKeys>,
    iyzico: Option<IyzicoClient>,
    sandbox: Option<Arc<Sandbox>>,
    sandbox_iyzico: Option<Arc<IyzicoSandbox>>,
}

/// One receipt, as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub number: String,
    pub amount_cents: i64,
    pub currency: String,
    pub status: String,
    pub at: DateTime<Utc>,
    pub url: Option<String>,
}

/// The billing page's content.
#[derive(Debug, Clone)]
pub struct Overview {
    pub provider: Option<ProviderKind>,
    pub plan: Plan,
    pub interval: Option<Interval>,
    pub status: Option<SubscriptionStatus>,
    pub access: Access,
    pub next_charge: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub trial_available: bool,
    pub card: Option<(String, String)>,
    pub receipts: Vec<Receipt>,
    pub plans: Vec<Plan>,
    /// The checkout asked about (`?checkout=` after the provider's page), and how it stands.
    pub checkout: Option<CheckoutState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutState {
    Open,
    Paid,
    Declined,
    Refused,
}

impl CheckoutState {
    fn key(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Declined => "declined",
            Self::Refused => "refused",
        }
    }

    fn parse(key: &str) -> Self {
        match key {
            "paid" => Self::Paid,
            "declined" => Self::Declined,
            "open" => Self::Open,
            _ => Self::Refused,
        }
    }
}

/// What a provider delivery amounted to (the route answers 200 to all but `Refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    Applied,
    Duplicate,
    Ignored,
}

fn provider_actor(provider: ProviderKind) -> Actor {
    Actor {
        kind: crate::workspace::audit::ActorKind::System,
        user: None,
        email: format!("{} (payment provider)", provider.key()),
        ip: None,
        request_id: None,
    }
}

fn unix(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
}

impl From<BillingError> for DomainError {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::Domain(e) => e,
            other => DomainError::Unreachable { service: "the payment provider", reason: other.to_string() },
        }
    }
}

impl Billing {
    pub(crate) fn new(
        mut settings: BillingSettings,
        control: DatabaseConnection,
        tenancy: Arc<Tenancy>,
        mailer: Arc<Mailer>,
    ) -> DomainResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| DomainError::Misconfigured(format!("HTTP client: {e}")))?;
        let mut sandbox = None;
        let mut sandbox_iyzico = None;
        if settings.provider == Some(ProviderKind::Sandbox) && settings.sandbox_scheme == SandboxScheme::Iyzico {
            // The sandbox stands in for iyzico: the deployment is an iyzico one whose API is the sandbox,
            // so the production iyzico client and checks are what runs.
            let own = Arc::new(IyzicoSandbox::new());
            let own_url = settings.self_url.get_or_insert_with(|| mailer.settings().public_url.clone());
            let base = own_url.join("/sandbox/iyzico").map_err(|e| DomainError::Misconfigured(e.to_string()))?;
            settings.iyzico = Some(super::settings::IyzicoSettings {
                api_base: base,
                api_key: own.api_key().to_owned(),
                secret_key: own.secret_key().clone(),
            });
            settings.provider = Some(ProviderKind::Iyzico);
            sandbox_iyzico = Some(own);
        } else if settings.provider == Some(ProviderKind::Sandbox) {
            let own = Arc::new(Sandbox::new());
            // A command that serves nothing (`migrate`) has no bound address: the configured one will do.
            let own_url = settings.self_url.get_or_insert_with(|| mailer.settings().public_url.clone());
            let base = own_url.join("/sandbox/stripe").map_err(|e| DomainError::Misconfigured(e.to_string()))?;
            settings.stripe = Some(super::settings::StripeSettings {
                api_base: base,
                secret_key: own.secret_key().clone(),
                webhook: StripeWebhookKeys {
                    secrets: vec![own.webhook_secret().clone()],
                    tolerance_secs: settings.webhook_tolerance_secs,
                },
            });
            sandbox = Some(own);
        }
        let stripe =
            settings.stripe.as_ref().map(|s| StripeClient::new(http.clone(), s.api_base.clone(), s.secret_key.clone()));
        let webhook_keys = settings.stripe.as_ref().map(|s| s.webhook.clone());
        let iyzico = settings
            .iyzico
            .as_ref()
            .map(|s| IyzicoClient::new(http.clone(), s.api_base.clone(), s.api_key.clone(), s.secret_key.clone()));
        Ok(Self { settings, control, tenancy, mailer, stripe, webhook_keys, iyzico, sandbox, sandbox_iyzico })
    }

    pub fn provider(&self) -> Option<ProviderKind> {
        self.settings.provider
    }

    pub fn plans(&self) -> &Plans {
        &self.settings.plans
    }

    /// The sandbox provider, in deployments that use it (dev mode and tests).
    pub fn sandbox(&self) -> Option<&Arc<Sandbox>> {
        self.sandbox.as_ref()
    }

    /// The sandbox standing in for iyzico (`billing.sandbox_scheme = "iyzico"`).
    pub fn sandbox_iyzico(&self) -> Option<&Arc<IyzicoSandbox>> {
        self.sandbox_iyzico.as_ref()
    }

    /// Whether payments go to the sandbox, whichever provider it speaks (the pages say so).
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some() || self.sandbox_iyzico.is_some()
    }

    fn grace(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.settings.grace_days))
    }

    /// What the workspace's subscription lets it do now, and the member limit of the plan in force
    /// (`None`: no limit). Limits apply only where billing is on: without a provider nobody can buy more.
    pub(crate) async fn standing(&self, db: &DatabaseConnection) -> DomainResult<(Access, Option<u32>)> {
        let row = store::current(db).await?;
        let access = store::access_of(row.as_ref(), self.grace(), Utc::now());
        let max_members =
            if self.settings.provider.is_some() { self.plan_in_force(row.as_ref(), access).max_members } else { None };
        Ok((access, max_members))
    }

    /// The plan whose limits apply: the subscribed one while it gives access, else the free plan.
    fn plan_in_force(&self, row: Option<&subscription::Model>, access: Access) -> &Plan {
        let plans = &self.settings.plans;
        match (row, access) {
            (_, Access::Free) | (None, _) => plans.free(),
            (Some(r), _) => plans.get(&r.plan_key).unwrap_or_else(|| plans.free()),
        }
    }

    fn stripe(&self) -> DomainResult<&StripeClient> {
        self.stripe.as_ref().ok_or(DomainError::NotFound)
    }

    fn sides<'a>(&'a self, tenant: TenantId, db: &'a DatabaseConnection) -> Sides<'a> {
        Sides { tenant, tenant_db: db, control: &self.control, mailer: &self.mailer }
    }

    fn page(&self, workspace: &Workspace) -> String {
        self.mailer.link(&format!("/w/{}/admin/billing", workspace.slug.as_str()))
    }

    // ---- the admin console ----

    pub async fn overview(&self, caller: &Caller, checkout: Option<uuid::Uuid>) -> DomainResult<Overview> {
        caller.require(Permission::BillingManage)?;
        let row = store::current(&caller.db).await?;
        let now = Utc::now();
        let access = store::access_of(row.as_ref(), self.grace(), now);
        let plans = &self.settings.plans;
        let plan = self.plan_in_force(row.as_ref(), access).clone();
        let mut receipts = Vec::new();
        if let (Some(customer), Some(stripe)) = (row.as_ref().and_then(|r| r.customer_ref.clone()), &self.stripe)
            && row.as_ref().and_then(|r| r.provider.as_deref()) != Some(ProviderKind::Iyzico.key())
        {
            match stripe.invoices(&customer).await {
                Ok(invoices) => {
                    receipts = invoices
                        .into_iter()
                        .map(|i| Receipt {
                            number: i.number.unwrap_or(i.id),
                            amount_cents: if i.amount_paid > 0 { i.amount_paid } else { i.amount_due },
                            currency: i.currency.to_uppercase(),
                            status: i.status.unwrap_or_default(),
                            at: unix(Some(i.created)).unwrap_or(now),
                            url: i.hosted_invoice_url.filter(|u| u.starts_with("https://")),
                        })
                        .collect()
                }
                Err(error) => tracing::warn!(%error, "could not list invoices"),
            }
        } else {
            receipts = billing_checkout::Entity::find()
                .filter(billing_checkout::Column::Status.eq(CheckoutState::Paid.key()))
                .order_by_desc(billing_checkout::Column::CreatedAt)
                .limit(12)
                .all(&caller.db)
                .await?
                .into_iter()
                .map(|c| Receipt {
                    number: c.provider_ref.unwrap_or_default(),
                    amount_cents: c.amount_cents,
                    currency: c.currency,
                    status: "paid".into(),
                    at: c.settled_at.unwrap_or(c.created_at),
                    url: None,
                })
                .collect();
        }
        let checkout = match checkout {
            Some(id) => {
                billing_checkout::Entity::find_by_id(id).one(&caller.db).await?.map(|c| CheckoutState::parse(&c.status))
            }
            None => None,
        };
        Ok(Overview {
            provider: self.settings.provider,
            interval: row.as_ref().and_then(|r| r.interval.as_deref()).and_then(Interval::parse),
            status: row.as_ref().and_then(|r| SubscriptionStatus::parse(&r.status)),
            access,
            next_charge: row
                .as_ref()
                .filter(|r| !r.cancel_at_period_end && matches!(access, Access::Full | Access::Grace { .. }))
                .and_then(|r| r.current_period_end),
            cancel_at_period_end: row.as_ref().is_some_and(|r| r.cancel_at_period_end),
            trial_ends_at: row.as_ref().and_then(|r| r.trial_ends_at),
            trial_available: self.settings.trial_days > 0 && !row.as_ref().is_some_and(|r| r.trial_used),
            card: row.as_ref().and_then(|r| Some((r.card_brand.clone()?, r.card_last4.clone()?))),
            plan,
            receipts,
            plans: plans.all().to_vec(),
            checkout,
        })
    }

    /// Starts a checkout for `plan_key` per `interval`: records what is asked (audited), asks the
    /// provider for its hosted page, and returns where to send the browser.
    pub async fn start_checkout(&self, caller: &Caller, plan_key: &str, interval: Interval) -> DomainResult<String> {
        caller.require(Permission::BillingManage)?;
        let provider = self.settings.provider.ok_or(DomainError::NotFound)?;
        let plan = self.settings.plans.get(plan_key).filter(|p| !p.is_free()).ok_or(DomainError::NotFound)?.clone();
        let row = store::current(&caller.db).await?;
        let id = uuid::Uuid::new_v4();
        let amount = plan.price(interval);
        let txn = crate::db::begin_write(&caller.db).await?;
        billing_checkout::ActiveModel {
            id: Set(id),
            provider: Set(provider.key().to_owned()),
            plan_key: Set(plan.key.clone()),
            interval: Set(interval.key().to_owned()),
            amount_cents: Set(amount.0),
            currency: Set(plan.currency.code().to_owned()),
            provider_ref: Set(None),
            status: Set(CheckoutState::Open.key().to_owned()),
            created_at: Set(Utc::now()),
            settled_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let changes = json!({ "plan": plan.key, "interval": interval.key(), "amount_cents": amount.0, "currency": plan.currency.code(), "provider": provider.key() });
        audit::record(
            &txn,
            &Actor::from(caller),
            "billing.checkout_started",
            "billing_checkout",
            &id.to_string(),
            changes,
        )
        .await?;
        txn.commit().await?;
        let page = self.page(&caller.workspace);
        let (reference, url) = match provider {
            ProviderKind::Stripe | ProviderKind::Sandbox => {
                let price = plan
                    .stripe_price(interval)
                    .ok_or_else(|| DomainError::Misconfigured(format!("plan {} has no Stripe price", plan.key)))?;
                let trial = (self.settings.trial_days > 0 && !row.as_ref().is_some_and(|r| r.trial_used))
                    .then_some(self.settings.trial_days);
                let session = self
                    .stripe()?
                    .create_checkout_session(&NewCheckout {
                        price_id: price,
                        customer: row.as_ref().and_then(|r| r.customer_ref.as_deref()),
                        tenant: &caller.workspace.id.to_string(),
                        checkout_id: &id.to_string(),
                        success_url: &format!("{page}?checkout={id}"),
                        cancel_url: &format!("{page}?checkout={id}"),
                        trial_days: trial,
                    })
                    .await?;
                let url = session.url.ok_or_else(|| BillingError::Provider("Stripe gave no checkout URL".into()))?;
                (session.id, url)
            }
            ProviderKind::Iyzico => {
                let iyzico = self.iyzico.as_ref().ok_or(DomainError::NotFound)?;
                let started =
                    iyzico.initialize(&self.basket(caller.workspace.id, id, &plan, interval, Some(caller))).await?;
                (started.token, started.payment_page_url)
            }
        };
        billing_checkout::Entity::update_many()
            .col_expr(billing_checkout::Column::ProviderRef, Expr::value(Some(reference)))
            .filter(billing_checkout::Column::Id.eq(id))
            .exec(&caller.db)
            .await?;
        Ok(url)
    }

    fn basket(
        &self,
        tenant: TenantId,
        checkout: uuid::Uuid,
        plan: &Plan,
        interval: Interval,
        caller: Option<&Caller>,
    ) -> Basket {
        Basket {
            basket_id: checkout.to_string(),
            conversation_id: format!("{tenant}_{checkout}"),
            amount: plan.price(interval),
            currency: plan.currency.code(),
            item_name: format!("Strongroom {} ({})", plan.name, interval.key()),
            plan_key: plan.key.clone(),
            callback_url: self.mailer.link(&format!("/billing/iyzico/callback/{tenant}/{checkout}")),
            buyer_id: caller.map(|c| c.user.to_string()).unwrap_or_default(),
            buyer_email: caller.map(|c| c.email.to_string()).unwrap_or_default(),
            buyer_ip: caller.map(|c| c.meta.ip.to_string()).unwrap_or_default(),
        }
    }

    /// Cancels at the end of the paid period (`true`) or takes that back (`false`).
    pub async fn set_cancel_at_period_end(&self, caller: &Caller, cancel: bool) -> DomainResult<()> {
        caller.require(Permission::BillingManage)?;
        let row = store::current(&caller.db).await?.ok_or(DomainError::NotFound)?;
        let action = if cancel { "cancel" } else { "resume" };
        match row.provider.as_deref().and_then(ProviderKind::parse) {
            Some(ProviderKind::Stripe | ProviderKind::Sandbox) => {
                let sub = row.subscription_ref.as_deref().ok_or(DomainError::NotFound)?;
                let form = vec![("cancel_at_period_end".to_owned(), cancel.to_string())];
                let key = format!("{action}-{sub}-{}", uuid::Uuid::new_v4());
                self.stripe()?.update_subscription(sub, &form, &key).await?;
                self.refetch_stripe(caller.workspace.id, &caller.db, sub, None, &Actor::from(caller)).await?;
            }
            // A paid iyzico period simply runs out; cancelling means not paying the next one.
            Some(ProviderKind::Iyzico) => {
                let snapshot =
                    Snapshot { cancel_at_period_end: cancel, ..snapshot_of_row(&row, ProviderKind::Iyzico)? };
                store::apply(
                    self.sides(caller.workspace.id, &caller.db),
                    caller.workspace.name.as_str(),
                    &snapshot,
                    None,
                    &Actor::from(caller),
                )
                .await?;
            }
            None => return Err(DomainError::NotFound),
        }
        Ok(())
    }

    /// Moves a Stripe subscription to another paid plan or period (Stripe prorates).
    pub async fn change_plan(&self, caller: &Caller, plan_key: &str, interval: Interval) -> DomainResult<()> {
        caller.require(Permission::BillingManage)?;
        let plan = self.settings.plans.get(plan_key).filter(|p| !p.is_free()).ok_or(DomainError::NotFound)?;
        let row = store::current(&caller.db).await?.ok_or(DomainError::NotFound)?;
        let sub = row.subscription_ref.as_deref().ok_or(DomainError::NotFound)?;
        let stripe = self.stripe()?;
        let current = stripe.subscription(sub).await?;
        let item =
            current.items.data.first().ok_or_else(|| BillingError::Provider("subscription without items".into()))?;
        let price = plan.stripe_price(interval).ok_or(DomainError::NotFound)?;
        let form = vec![("items[0][id]".to_owned(), item.id.clone()), ("items[0][price]".to_owned(), price.to_owned())];
        stripe.update_subscription(sub, &form, &format!("plan-{sub}-{}", uuid::Uuid::new_v4())).await?;
        self.refetch_stripe(caller.workspace.id, &caller.db, sub, None, &Actor::from(caller)).await?;
        Ok(())
    }

    /// The provider's customer portal (card changes), for Stripe.
    pub async fn portal(&self, caller: &Caller) -> DomainResult<String> {
        caller.require(Permission::BillingManage)?;
        let row = store::current(&caller.db).await?.ok_or(DomainError::NotFound)?;
        let customer = row.customer_ref.as_deref().ok_or(DomainError::NotFound)?;
        let key = format!("portal-{customer}-{}", uuid::Uuid::new_v4());
        Ok(self.stripe()?.portal_session(customer, &self.page(&caller.workspace), &key).await?)
    }

    // ---- the providers ----

    /// Re-fetches Stripe subscription `sub_id` and applies it to the workspace it names.
    async fn refetch_stripe(
        &self,
        expected_tenant: TenantId,
        db: &DatabaseConnection,
        sub_id: &str,
        event: Option<&EventRef>,
        actor: &Actor,
    ) -> Result<Applied, BillingError> {
        let sub = self.stripe()?.subscription(sub_id).await?;
        let tenant = sub.metadata.get("tenant").and_then(|t| uuid::Uuid::parse_str(t).ok()).map(TenantId::from);
        if tenant != Some(expected_tenant) {
            return Err(BillingError::Refused("the subscription belongs to another workspace"));
        }
        let snapshot = self.stripe_snapshot(&sub)?;
        let workspace = self.tenancy.by_id(expected_tenant).await?;
        Ok(store::apply(self.sides(expected_tenant, db), workspace.name.as_str(), &snapshot, event, actor).await?)
    }

    fn stripe_snapshot(&self, sub: &super::stripe::Subscription) -> Result<Snapshot, BillingError> {
        let price = sub.price_id().ok_or(BillingError::Refused("subscription without a price"))?;
        let (plan, interval) = self
            .settings
            .plans
            .by_stripe_price(price)
            .ok_or(BillingError::Refused("subscription at a price no plan sells"))?;
        Ok(Snapshot {
            provider: self.settings.provider.unwrap_or(ProviderKind::Stripe),
            plan_key: plan.key.clone(),
            interval: Some(interval),
            status: SubscriptionStatus::from_stripe(&sub.status),
            customer_ref: Some(sub.customer.clone()),
            subscription_ref: Some(sub.id.clone()),
            period_end: unix(sub.period_end()),
            cancel_at_period_end: sub.cancel_at_period_end,
            trial_ends_at: unix(sub.trial_end),
            card: sub
                .default_payment_method
                .as_ref()
                .and_then(|m| m.card.as_ref())
                .map(|c| (c.brand.clone(), c.last4.clone())),
        })
    }

    /// A Stripe webhook: verified by its signature, then the state it concerns is fetched from Stripe
    /// and applied, with the event recorded once.
    #[tracing::instrument(skip_all)]
    pub async fn stripe_webhook(&self, signature: Option<&str>, body: &[u8]) -> Result<Delivered, BillingError> {
        let keys = self.webhook_keys.as_ref().ok_or(BillingError::Refused("Stripe is not configured"))?;
        keys.verify(signature, body, Utc::now().timestamp()).map_err(BillingError::Signature)?;
        let event: Value = serde_json::from_slice(body).map_err(|_| BillingError::Refused("not JSON"))?;
        let (Some(event_id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
            return Err(BillingError::Refused("not a Stripe event"));
        };
        let object = &event["data"]["object"];
        let stripe = self.stripe()?;
        let (sub_id, checkout) = if kind.starts_with("customer.subscription.") {
            (object["id"].as_str().map(str::to_owned), None)
        } else if kind.starts_with("checkout.session.") {
            let session = stripe.checkout_session(object["id"].as_str().unwrap_or_default()).await?;
            (session.subscription.clone(), Some(session))
        } else if kind.starts_with("invoice.") {
            let sub = object["subscription"]
                .as_str()
                .or_else(|| object["parent"]["subscription_details"]["subscription"].as_str());
            (sub.map(str::to_owned), None)
        } else {
            return Ok(Delivered::Ignored);
        };
        let tenant = match (&checkout, &sub_id) {
            (Some(session), _) => session.metadata.get("tenant").cloned(),
            (None, Some(sub)) => stripe.subscription(sub).await?.metadata.get("tenant").cloned(),
            (None, None) => None,
        };
        let Some(tenant) = tenant.and_then(|t| uuid::Uuid::parse_str(&t).ok()).map(TenantId::from) else {
            return Ok(Delivered::Ignored);
        };
        let db = self.tenancy.active_db(tenant).await?;
        let event = EventRef { provider: ProviderKind::Stripe, id: event_id.to_owned(), kind: kind.to_owned() };
        let actor = provider_actor(self.settings.provider.unwrap_or(ProviderKind::Stripe));
        let applied = match &sub_id {
            Some(sub) => self.refetch_stripe(tenant, &db, sub, Some(&event), &actor).await?,
            None => record_only(&db, &event).await?,
        };
        if let Some(session) = checkout {
            let state = match (session.status.as_deref(), &session.subscription) {
                (Some("complete"), Some(_)) => Some(CheckoutState::Paid),
                (Some("expired"), _) => Some(CheckoutState::Declined),
                _ => None,
            };
            if let (Some(state), Some(id)) =
                (state, session.client_reference_id.as_deref().and_then(|c| uuid::Uuid::parse_str(c).ok()))
            {
                settle_checkout(&db, id, state).await?;
            }
        }
        Ok(if applied == Applied::Duplicate { Delivered::Duplicate } else { Delivered::Applied })
    }

    /// The iyzico callback (a cross-site POST from iyzico's page) or webhook for checkout `checkout` of
    /// `tenant`: whatever it carries, the result is retrieved from iyzico with the token we stored, its
    /// signature verified and its basket, amount and currency checked against what was asked.
    #[tracing::instrument(skip_all)]
    pub async fn iyzico_result(
        &self,
        tenant: TenantId,
        checkout: uuid::Uuid,
    ) -> Result<(Workspace, CheckoutState), BillingError> {
        let iyzico = self.iyzico.as_ref().ok_or(BillingError::Refused("iyzico is not configured"))?;
        let workspace = self.tenancy.by_id(tenant).await?;
        let db = self.tenancy.active_db(tenant).await?;
        let row = billing_checkout::Entity::find_by_id(checkout)
            .one(&db)
            .await?
            .ok_or(BillingError::Refused("no such checkout"))?;
        if row.provider != ProviderKind::Iyzico.key() {
            return Err(BillingError::Refused("not an iyzico checkout"));
        }
        let state = CheckoutState::parse(&row.status);
        if state != CheckoutState::Open {
            return Ok((workspace, state));
        }
        let token = row.provider_ref.clone().ok_or(BillingError::Refused("checkout was never started"))?;
        let interval = Interval::parse(&row.interval).ok_or(BillingError::Refused("stored interval unknown"))?;
        let plan =
            self.settings.plans.get(&row.plan_key).ok_or(BillingError::Refused("plan no longer offered"))?.clone();
        let mut basket = self.basket(tenant, checkout, &plan, interval, None);
        // Check against what was *asked* (stored), not against today's price list.
        basket.amount = model::Cents(row.amount_cents);
        basket.currency = super::plans::Currency::parse(&row.currency)
            .map(|c| c.code())
            .ok_or(BillingError::Refused("stored currency unknown"))?;
        let payment = match iyzico.retrieve(&token, &basket).await {
            Ok(payment) => payment,
            Err(BillingError::Refused(why)) => {
                tracing::warn!(why, %checkout, "iyzico result refused");
                settle_checkout(&db, checkout, CheckoutState::Refused).await?;
                audit::record(
                    &db,
                    &provider_actor(ProviderKind::Iyzico),
                    "billing.payment_refused",
                    "billing_checkout",
                    &checkout.to_string(),
                    json!({ "why": why }),
                )
                .await?;
                return Ok((workspace, CheckoutState::Refused));
            }
            Err(other) => return Err(other),
        };
        if !payment.paid {
            settle_checkout(&db, checkout, CheckoutState::Declined).await?;
            return Ok((workspace, CheckoutState::Declined));
        }
        let current = store::current(&db).await?;
        // A renewal before the period ends extends it from its end, not from today.
        let start = current
            .as_ref()
            .and_then(|c| c.current_period_end)
            .filter(|end| *end > Utc::now())
            .unwrap_or_else(Utc::now);
        let snapshot = Snapshot {
            provider: ProviderKind::Iyzico,
            plan_key: plan.key.clone(),
            interval: Some(interval),
            status: SubscriptionStatus::Active,
            customer_ref: None,
            subscription_ref: Some(payment.payment_id.clone()),
            period_end: Some(start + interval.length()),
            cancel_at_period_end: false,
            trial_ends_at: None,
            card: payment.card_brand.clone().zip(payment.card_last4.clone()),
        };
        let event = EventRef {
            provider: ProviderKind::Iyzico,
            id: payment.payment_id.clone(),
            kind: "checkout_form.paid".into(),
        };
        store::apply(
            self.sides(tenant, &db),
            workspace.name.as_str(),
            &snapshot,
            Some(&event),
            &provider_actor(ProviderKind::Iyzico),
        )
        .await?;
        settle_checkout(&db, checkout, CheckoutState::Paid).await?;
        Ok((workspace, CheckoutState::Paid))
    }

    /// Re-fetches every workspace's subscription from its provider, and ends what ran out (an iyzico
    /// period that was not renewed), so a server that never receives a webhook still converges.
    pub async fn refetch_all(&self) -> DomainResult<usize> {
        let tenants = tenant::Entity::find()
            .filter(tenant::Column::Status.eq(tenant::TenantStatus::Active))
            .all(&self.control)
            .await?;
        let mut changed = 0;
        for row in tenants {
            let id = TenantId::from(row.id);
            let result = async {
                let db = self.tenancy.active_db(id).await?;
                // Open checkouts: a result may be waiting that no webhook announced.
                let open = billing_checkout::Entity::find()
                    .filter(billing_checkout::Column::Status.eq(CheckoutState::Open.key()))
                    .all(&db)
                    .await?;
                if open.iter().any(|c| c.provider != ProviderKind::Iyzico.key()) && self.stripe.is_some() {
                    self.refetch_open_stripe_checkouts(id).await?;
                }
                for checkout in
                    open.iter().filter(|c| c.provider == ProviderKind::Iyzico.key() && c.provider_ref.is_some())
                {
                    self.iyzico_result(id, checkout.id).await?;
                }
                let Some(current) = store::current(&db).await? else { return Ok::<_, BillingError>(!open.is_empty()) };
                let actor = provider_actor(
                    current.provider.as_deref().and_then(ProviderKind::parse).unwrap_or(ProviderKind::Stripe),
                );
                match (current.provider.as_deref().and_then(ProviderKind::parse), current.subscription_ref.as_deref()) {
                    (Some(ProviderKind::Stripe | ProviderKind::Sandbox), Some(sub)) => {
                        Ok(self.refetch_stripe(id, &db, sub, None, &actor).await? == Applied::Changed)
                    }
                    (Some(ProviderKind::Iyzico), Some(_))
                        if current.status == SubscriptionStatus::Active.key()
                            && current.current_period_end.is_some_and(|end| end <= Utc::now()) =>
                    {
                        let ended = if current.cancel_at_period_end {
                            SubscriptionStatus::Cancelled
                        } else {
                            SubscriptionStatus::PastDue
                        };
                        let snapshot = Snapshot { status: ended, ..snapshot_of_row(&current, ProviderKind::Iyzico)? };
                        Ok(store::apply(self.sides(id, &db), &row.name, &snapshot, None, &actor).await?
                            == Applied::Changed)
                    }
                    _ => Ok(false),
                }
            }
            .await;
            match result {
                Ok(true) => changed += 1,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, tenant = %id, "billing re-fetch failed for a workspace"),
            }
        }
        Ok(changed)
    }

    /// Stripe checkout sessions still open, re-fetched (used by the scheduled check too).
    pub async fn refetch_open_stripe_checkouts(&self, tenant: TenantId) -> DomainResult<()> {
        let db = self.tenancy.active_db(tenant).await?;
        let stripe = self.stripe()?;
        for open in billing_checkout::Entity::find()
            .filter(billing_checkout::Column::Status.eq(CheckoutState::Open.key()))
            .all(&db)
            .await?
        {
            let Some(session_id) = open.provider_ref.as_deref().filter(|_| open.provider != ProviderKind::Iyzico.key())
            else {
                continue;
            };
            let session = stripe.checkout_session(session_id).await?;
            if session.metadata.get("tenant").map(String::as_str) != Some(&tenant.to_string()) {
                continue;
            }
            if let (Some("complete"), Some(sub)) = (session.status.as_deref(), &session.subscription) {
                let actor = provider_actor(self.settings.provider.unwrap_or(ProviderKind::Stripe));
                self.refetch_stripe(tenant, &db, sub, None, &actor).await?;
                settle_checkout(&db, open.id, CheckoutState::Paid).await?;
            } else if session.status.as_deref() == Some("expired") {
                settle_checkout(&db, open.id, CheckoutState::Declined).await?;
            }
        }
        Ok(())
    }
}

fn snapshot_of_row(
    row: &crate::entities::tenant::subscription::Model,
    provider: ProviderKind,
) -> Result<Snapshot, DomainError> {
    Ok(Snapshot {
        provider,
        plan_key: row.plan_key.clone(),
        interval: row.interval.as_deref().and_then(Interval::parse),
        status: SubscriptionStatus::parse(&row.status).ok_or(DomainError::NotFound)?,
        customer_ref: row.customer_ref.clone(),
        subscription_ref: row.subscription_ref.clone(),
        period_end: row.current_period_end,
        cancel_at_period_end: row.cancel_at_period_end,
        trial_ends_at: row.trial_ends_at,
        card: row.card_brand.clone().zip(row.card_last4.clone()),
    })
}

/// Records an event that changes no subscription (a checkout that expired), once.
async fn record_only(db: &DatabaseConnection, event: &EventRef) -> DomainResult<Applied> {
    let inserted = crate::entities::tenant::billing_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        provider: Set(event.provider.key().to_owned()),
        event_id: Set(event.id.chars().take(255).collect()),
        kind: Set(event.kind.chars().take(64).collect()),
        received_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(Applied::Unchanged),
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => Ok(Applied::Duplicate),
        Err(e) => Err(e.into()),
    }
}

/// Marks an open checkout as ended (once: only an open one changes).
async fn settle_checkout(db: &DatabaseConnection, id: uuid::Uuid, state: CheckoutState) -> DomainResult<()> {
    billing_checkout::Entity::update_many()
        .col_expr(billing_checkout::Column::Status, Expr::value(state.key()))
        .col_expr(billing_checkout::Column::SettledAt, Expr::value(Some(Utc::now())))
        .filter(billing_checkout::Column::Id.eq(id))
        .filter(billing_checkout::Column::Status.eq(CheckoutState::Open.key()))
        .exec(db)
        .await?;
    Ok(())
}

impl Billing {
    /// An iyzico webhook: `X-Iyz-Signature-V3` verified, then the result retrieved and checked like a
    /// callback's. The conversation id we gave says which workspace and checkout it concerns.
    #[tracing::instrument(skip_all)]
    pub async fn iyzico_webhook(&self, signature: Option<&str>, body: &[u8]) -> Result<Delivered, BillingError> {
        let settings = self.settings.iyzico.as_ref().ok_or(BillingError::Refused("iyzico is not configured"))?;
        let event: Value = serde_json::from_slice(body).map_err(|_| BillingError::Refused("not JSON"))?;
        let text = |name: &str| match &event[name] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let (kind, payment, token, conversation, status) = (
            text("iyziEventType"),
            text("iyziPaymentId"),
            text("token"),
            text("paymentConversationId"),
            text("status"),
        );
        let fields = super::signatures::IyzicoWebhookFields {
            event_type: &kind,
            payment_id: &payment,
            token: &token,
            conversation_id: &conversation,
            status: &status,
        };
        if !signature.is_some_and(|given| fields.matches(&settings.secret_key, given)) {
            return Err(BillingError::Refused("iyzico webhook signature does not match"));
        }
        let Some((tenant, checkout)) = conversation.split_once('_') else { return Ok(Delivered::Ignored) };
        let (Ok(tenant), Ok(checkout)) = (uuid::Uuid::parse_str(tenant), uuid::Uuid::parse_str(checkout)) else {
            return Ok(Delivered::Ignored);
        };
        self.iyzico_result(TenantId::from(tenant), checkout).await?;
        Ok(Delivered::Applied)
    }

    /// Sends a sandbox webhook to this server's real Stripe webhook route, signed with Stripe's scheme.
    pub async fn deliver_sandbox(&self, delivery: &super::sandbox::Delivery) -> Result<(), BillingError> {
        self.post_to_self("/billing/webhooks/stripe", "Stripe-Signature", &delivery.signature, &delivery.body).await
    }

    /// Sends a sandbox webhook to this server's real iyzico webhook route, signed `X-Iyz-Signature-V3`.
    pub async fn deliver_sandbox_iyzico(
        &self,
        delivery: &super::sandbox_iyzico::IyzicoDelivery,
    ) -> Result<(), BillingError> {
        self.post_to_self("/billing/webhooks/iyzico", "X-Iyz-Signature-V3", &delivery.signature, &delivery.body).await
    }

    /// A sandbox webhook over real HTTP to this very server, as the provider would send it.
    async fn post_to_self(&self, path: &str, header: &str, signature: &str, body: &str) -> Result<(), BillingError> {
        let base = self.settings.self_url.as_ref().ok_or(BillingError::Refused("no own address"))?;
        let url = base.join(path).map_err(|_| BillingError::Refused("bad own address"))?;
        let response = reqwest::Client::new()
            .post(url)
            .header(header, signature)
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| BillingError::Provider(format!("sandbox webhook not delivered: {e}")))?;
        if !response.status().is_success() {
            return Err(BillingError::Provider(format!("sandbox webhook answered {}", response.status())));
        }
        Ok(())
    }

    /// Whether `url` is on this site (the sandbox portal only returns there).
    pub fn is_own_url(&self, url: &str) -> bool {
        let own = self.mailer.link("/");
        url.starts_with(&own) || self.settings.self_url.as_ref().is_some_and(|u| url.starts_with(u.as_str()))
    }
}
