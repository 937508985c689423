//! The public security page (`/security`, SEC1): every promise Strongroom makes, in plain words, with the
//! tests that prove it, and where Strongroom stands on each OWASP ASVS 5.0 level 1 and 2 requirement.
//!
//! The ids cited in doc comments across the code ("ID4", "TN5", …) are the promises of this page; each
//! has an anchor here (`/security#ID4`). The words live in `security/promises.toml` and
//! `security/asvs.toml`, the test names come from the `Proves:` markers on the tests themselves;
//! `cargo xtask security` turns them into [`data`] (compiled into the server only, so the WebAssembly
//! carries none of it) and into `SECURITY.md`. The page reads the data through a server function, so a
//! page reached by a click in the browser shows the same as one rendered on the server.

#[cfg(feature = "ssr")]
mod data;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Text that is borrowed from the compiled-in data on the server and owned once it reached the browser.
pub type Text = Cow<'static, str>;
/// A list of texts, likewise.
pub type Texts = Cow<'static, [Text]>;

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromiseCatalogue {
    pub promises: Cow<'static, [Promise]>,
    pub not_yet: Cow<'static, [NotYet]>,
    pub asvs: Cow<'static, [Requirement]>,
}

/// One promise the product keeps today, and the tests that prove it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub id: Text,
    pub title: Text,
    pub text: Text,
    /// What of the capability is not there yet, and known gaps (empty when nothing is missing).
    pub later: Text,
    /// The ASVS requirements this promise meets.
    pub asvs: Texts,
    pub tests: Texts,
}

/// A capability of the specification that is not offered yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotYet {
    pub id: Text,
    pub title: Text,
}

/// Where Strongroom stands on one ASVS requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub id: Text,
    pub level: u8,
    pub section: Text,
    pub status: Status,
    /// The promises that meet it (for [`Status::Met`]).
    pub by: Texts,
    /// Why it does not apply, what is missing, or a word on how it is met.
    pub note: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Met,
    NotApplicable,
    Open,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Met, Status::NotApplicable, Status::Open];

    pub fn label(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotApplicable => "not applicable",
            Self::Open => "open",
        }
    }
}

impl PromiseCatalogue {
    /// How many requirements of `level` have `status`.
    pub fn count(&self, level: u8, status: Status) -> usize {
        self.asvs.iter().filter(|r| r.level == level && r.status == status).count()
    }
}

/// The catalogue, as compiled into the server.
#[server(prefix = "/rpc", endpoint = "security/catalogue", input = server_fn::codec::GetUrl)]
pub async fn security_catalogue() -> Result<PromiseCatalogue, AppError> {
    Ok(data::CATALOGUE)
}

#[component]
pub fn SecurityPromisesPage() -> impl IntoView {
    let catalogue = Resource::new_blocking(|| (), |_| security_catalogue());
    view! {
        <Title text="Security"/>
        <h1>"Security at Strongroom"</h1>
        <p class="lede">
            "Every promise on this page is a working feature with automated tests that fail when it breaks. "
            "The tests named under each promise are the ones that prove it; this page is generated from them."
        </p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match catalogue.await {
                    Ok(catalogue) => view! { <Catalogue catalogue/> }.into_any(),
                    Err(error) => view! { <p class="card" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Catalogue(catalogue: PromiseCatalogue) -> impl IntoView {
    let counts = [1u8, 2].map(|level| {
        let [met, na, open] = Status::ALL.map(|status| catalogue.count(level, status));
        view! {
            <tr data-testid=format!("asvs-l{level}")>
                <th scope="row">{format!("Level {level}")}</th>
                <td>{met}</td>
                <td>{na}</td>
                <td>{open}</td>
                <td>{met + na + open}</td>
            </tr>
        }
    });
    let PromiseCatalogue { promises, not_yet, asvs } = catalogue;
    view! {
        <section class="card" aria-labelledby="asvs-counts-title">
            <h2 id="asvs-counts-title">"OWASP ASVS 5.0 at a glance"</h2>
            <p>
                "For each requirement of levels 1 and 2 of the OWASP Application Security Verification Standard "
                "5.0 we say whether it is met (and by which promise), does not apply (and why), or is still open. "
                "Open requirements are known work, listed in the table at the end."
            </p>
            <table class="lines-table">
                <thead><tr><th scope="col">"Level"</th><th scope="col">"Met"</th><th scope="col">"Not applicable"</th><th scope="col">"Open"</th><th scope="col">"All"</th></tr></thead>
                <tbody>{counts}</tbody>
            </table>
        </section>
        <h2>"Our promises"</h2>
        {promises.iter().cloned().map(|promise| view! { <PromiseCard promise/> }).collect_view()}
        <section class="card" aria-labelledby="not-yet-title">
            <h2 id="not-yet-title">"Not yet offered"</h2>
            <p>"These capabilities are planned but not part of the product yet; we promise nothing about them."</p>
            <ul class="links">
                {not_yet.iter().map(|n| view! { <li id=n.id.to_string()><strong>{n.id.to_string()}</strong>" "{n.title.to_string()}</li> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="asvs-title">
            <h2 id="asvs-title">"OWASP ASVS 5.0, levels 1 and 2"</h2>
            <table class="asvs-table">
                <thead><tr><th scope="col">"Requirement"</th><th scope="col">"Level"</th><th scope="col">"Status"</th><th scope="col">"By / why"</th></tr></thead>
                <tbody>{asvs.iter().map(requirement_row).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn PromiseCard(promise: Promise) -> impl IntoView {
    let Promise { id, title, text, later, asvs, tests } = promise;
    let heading = format!("promise-{id}");
    let heading_id = heading.clone();
    let later =
        (!later.is_empty()).then(|| view! { <p class="hint"><strong>"Limits today: "</strong>{later.to_string()}</p> });
    let asvs = (!asvs.is_empty()).then(|| {
        let links = asvs.iter().map(|r| view! { <a href=format!("#{r}")>{r.to_string()}</a>" " }).collect_view();
        view! { <p class="hint">"OWASP ASVS: "{links}</p> }
    });
    view! {
        <section class="card" id=id.to_string() aria-labelledby=heading.clone() data-testid="promise">
            <h3 id=heading_id>{format!("{id} · {title}")}</h3>
            <p>{text.to_string()}</p>
            {later}
            {asvs}
            <details>
                <summary>{format!("Proven by {} tests", tests.len())}</summary>
                <ul class="links">{tests.iter().map(|t| view! { <li><code>{t.to_string()}</code></li> }).collect_view()}</ul>
            </details>
        </section>
    }
}

fn requirement_row(requirement: &Requirement) -> impl IntoView + use<> {
    let by = requirement.by.iter().map(|p| view! { <a href=format!("#{p}")>{p.to_string()}</a>" " }).collect_view();
    let note = (!requirement.note.is_empty()).then(|| requirement.note.to_string());
    view! {
        <tr id=requirement.id.to_string()>
            <td>{requirement.id.to_string()}" "<span class="hint">{requirement.section.to_string()}</span></td>
            <td>{requirement.level}</td>
            <td class=format!("asvs-{:?}", requirement.status).to_lowercase()>{requirement.status.label()}</td>
            <td>{by}{note}</td>
        </tr>
    }
}
