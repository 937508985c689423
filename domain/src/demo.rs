//! Demo data for newcomers (`cargo xtask run --demo`, which runs `strongroom serve --demo`): a workspace
//! with a member in every built-in role, suppliers, purchase requests in every state, customers and
//! sales orders in every state of their life cycle, made through
//! the same domain calls people's clicks make (invitations are sent and accepted, requests submitted,
//! decided and withdrawn), so what the newcomer sees is what the product does.
//!
//! Refused unless the server runs in dev mode on a loopback address: [`DemoPermit::check`] is the only
//! way to get the permit [`seed`] needs. Demo accounts get one fresh random password per run, printed
//! by the caller together with where to sign in.

use crate::error::{DomainError, DomainResult};
use crate::identity::{RequestMeta, SignedIn};
use crate::platform::Platform;
use crate::workspace::access::Area;
use crate::workspace::purchasing::{self, Decision, LineInput, RequestInput, RequestStatus};
use crate::workspace::sales::OrderStatus;
use crate::workspace::sales::customers::{self, CustomerInput};
use crate::workspace::sales::orders::{self, OrderInput};
use crate::workspace::{Caller, invitations};
use model::{BuiltinRole, EmailAddress, WorkspaceName};
use secrecy::SecretString;
use std::net::SocketAddr;

/// The demo workspace's name.
pub const WORKSPACE: &str = "Northwind Demo";

/// Why demo data was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DemoRefused {
    #[error("demo data is only made in dev mode (this server runs in production mode)")]
    ProductionMode,
    #[error("demo data is only made on a loopback address (this server listens on {0})")]
    NotLoopback(SocketAddr),
}

/// Proof that the server may make demo data: dev mode, listening on loopback only.
pub struct DemoPermit(());

impl DemoPermit {
    pub fn check(dev_mode: bool, addr: SocketAddr) -> Result<Self, DemoRefused> {
        if !dev_mode {
            return Err(DemoRefused::ProductionMode);
        }
        if !addr.ip().is_loopback() {
            return Err(DemoRefused::NotLoopback(addr));
        }
        Ok(Self(()))
    }
}

/// One demo person: their address, their role, and the password printed for this run.
pub struct DemoPerson {
    pub email: EmailAddress,
    pub role: BuiltinRole,
}

/// What [`seed`] made, for the start-up message.
pub struct Demo {
    pub slug: String,
    pub people: Vec<DemoPerson>,
    pub password: SecretString,
}

fn person(role: BuiltinRole) -> EmailAddress {
    EmailAddress::parse(&format!("{}@demo.example.com", role.key())).expect("a valid demo address")
}

/// Makes (or refreshes) the demo workspace. A second run finds it and only sets a new password.
#[tracing::instrument(skip_all)]
pub async fn seed(platform: &Platform, _permit: DemoPermit) -> DomainResult<Demo> {
    let password = SecretString::from(crate::crypto::random_token()[..16].to_owned());
    let mut people = Vec::new();
    let mut signed_in = Vec::new();
    for role in BuiltinRole::ALL {
        let email = person(role);
        signed_in.push(platform.identity().demo_account(&email, &password).await?);
        people.push(DemoPerson { email, role });
    }
    let owner = &signed_in[0];
    let existing = platform.workspaces().workspaces_of(owner).await?.into_iter().find(|w| w.name.as_str() == WORKSPACE);
    let workspace = match existing {
        Some(workspace) => return Ok(Demo { slug: workspace.slug.to_string(), people, password }),
        None => {
            let name = WorkspaceName::parse(WORKSPACE)?;
            platform.create_workspace(name, owner).await?
        }
    };
    let slug = workspace.slug.to_string();
    let owner_caller = enter(platform, owner, &slug).await?;
    for (role, member) in BuiltinRole::ALL.iter().zip(&signed_in).skip(1) {
        invitations::invite(&owner_caller, platform.mailer(), &member.email, &[role.key().to_owned()]).await?;
        let token = invitation_token(platform, &member.email).await?;
        platform.accept_invitation(member, &token, None).await?;
    }
    fill(platform, &slug, &signed_in).await?;
    Ok(Demo { slug, people, password })
}

async fn enter(platform: &Platform, signed_in: &SignedIn, slug: &str) -> DomainResult<Caller> {
    let meta = RequestMeta::new(std::net::Ipv4Addr::LOCALHOST.into(), "strongroom demo", None);
    platform.workspaces().enter(signed_in, slug, meta, None, Area::AdminConsole).await
}

/// The invitation link's token, read from the dev outbox as the invited person would.
async fn invitation_token(platform: &Platform, to: &EmailAddress) -> DomainResult<String> {
    let outbox = platform.mailer().dev_outbox().ok_or(DomainError::NotFound)?;
    let mails = outbox.messages_to(to.as_str()).await?;
    let marker = "/invitations/accept?token=";
    mails
        .iter()
        .find_map(|mail| {
            let start = mail.text.find(marker)? + marker.len();
            Some(
                mail.text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                    .collect(),
            )
        })
        .ok_or(DomainError::NotFound)
}

/// Suppliers and purchase requests: pending, approved (with its purchase order), denied and withdrawn.
async fn fill(platform: &Platform, slug: &str, people: &[SignedIn]) -> DomainResult<()> {
    let [owner, admin, approver, member, _viewer] = people else { return Err(DomainError::NotFound) };
    let owner = enter(platform, owner, slug).await?;
    let mut suppliers = Vec::new();
    for (name, email) in [
        ("Acme Office Supplies", "orders@acme.example.com"),
        ("Bosphorus Logistics", "sales@bosphorus.example.com"),
        ("Lumière Print", "bonjour@lumiere.example.com"),
        ("Rheinland Hardware", "vertrieb@rheinland.example.com"),
    ] {
        suppliers.push(purchasing::add_supplier(&owner, name, email).await?.id.to_string());
    }
    let requester = enter(platform, member, slug).await?;
    let deciders = [enter(platform, approver, slug).await?, enter(platform, admin, slug).await?, owner];
    let mailer = platform.mailer();
    // Above the default approval threshold (1,000.00) a request waits for approval; below it, it is
    // approved at once (the coffee).
    let wanted = [
        ("Printer toner for the second floor", 12, "89.90", RequestStatus::Pending),
        ("Standing desks for the sales team", 6, "649.00", RequestStatus::Approved),
        ("Pallet transport Istanbul → Hamburg", 1, "2450.00", RequestStatus::Denied),
        ("Business cards for new starters", 40, "59.00", RequestStatus::Withdrawn),
        ("Replacement laptop chargers", 20, "79.00", RequestStatus::Pending),
        ("Coffee beans for the kitchen", 3, "24.50", RequestStatus::Approved),
    ];
    for (i, (title, quantity, unit_price, status)) in wanted.into_iter().enumerate() {
        let input = RequestInput {
            supplier: suppliers[i % suppliers.len()].clone(),
            title: title.to_owned(),
            lines: vec![LineInput {
                description: title.to_owned(),
                quantity: quantity.to_string(),
                unit_price: unit_price.to_owned(),
            }],
        };
        let request = purchasing::submit(&requester, mailer, &input).await?;
        if request.status != RequestStatus::Pending {
            continue; // approved at once, below the threshold
        }
        match status {
            RequestStatus::Pending => {}
            RequestStatus::Withdrawn => {
                purchasing::withdraw(&requester, request.id).await?;
            }
            RequestStatus::Approved | RequestStatus::Denied => {
                let (decision, comment) = match status {
                    RequestStatus::Approved => (Decision::Approve, "Budget confirmed."),
                    _ => (Decision::Deny, "Please get a second quote first."),
                };
                // Approval paths may ask for several people; each decider in turn until it is decided.
                for decider in &deciders {
                    match purchasing::decide(decider, mailer, request.id, decision, comment).await {
                        Ok(detail) if detail.summary.status != RequestStatus::Pending => break,
                        Ok(_) | Err(DomainError::Forbidden(_) | DomainError::Conflict(_)) => {}
                        Err(other) => return Err(other),
                    }
                }
            }
        }
    }
    sales(&deciders[2]).await
}

/// Customers (their contact data encrypted and shown masked) and a sales order in every state.
async fn sales(owner: &Caller) -> DomainResult<()> {
    let mut ids = Vec::new();
    for (name, email, phone, address) in [
        ("Hanse Kontor GmbH", "einkauf@hanse-kontor.example.com", "+49 40 5550 1234", "Speicherstadt 4, 20457 Hamburg"),
        ("Atelier Marceau", "commandes@marceau.example.com", "+33 1 55 50 12 34", "12 rue du Bac, 75007 Paris"),
        ("Ege Tekstil A.Ş.", "siparis@egetekstil.example.com", "+90 232 555 12 34", "Alsancak, 35220 İzmir"),
    ] {
        let input = CustomerInput {
            name: name.to_owned(),
            email: email.to_owned(),
            phone: phone.to_owned(),
            address: address.to_owned(),
            notes: String::new(),
        };
        ids.push(customers::add(owner, &input).await?.id.to_string());
    }
    use OrderStatus::{Cancelled, Completed, Confirmed, Draft, Shipped};
    let wanted: [(&str, &str, &str, &[OrderStatus]); 5] = [
        ("Oak conference table", "1", "1890.00", &[]),
        ("Linen curtains, 12 panels", "12", "74.50", &[Confirmed]),
        ("Cotton towels, pallet", "300", "6.20", &[Confirmed, Shipped]),
        ("Brass door handles", "40", "32.00", &[Confirmed, Shipped, Completed]),
        ("Wool carpet runner", "2", "410.00", &[Cancelled]),
    ];
    for (i, (item, quantity, unit_price, path)) in wanted.into_iter().enumerate() {
        let input = OrderInput {
            customer: ids[i % ids.len()].clone(),
            notes: String::new(),
            lines: vec![LineInput {
                description: item.to_owned(),
                quantity: quantity.to_owned(),
                unit_price: unit_price.to_owned(),
            }],
        };
        let order = orders::create(owner, &input).await?;
        debug_assert_eq!(order.status, Draft);
        for to in path {
            orders::set_status(owner, order.id, *to).await?;
        }
    }
    Ok(())
}
