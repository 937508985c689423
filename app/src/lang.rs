//! The interface's languages (UX3): English, German, French and Turkish.
//!
//! The words live in `app/locales/<lang>.json`, compiled into the `i18n` module by `leptos_i18n`: every
//! key used with `t!`/`t_string!` is checked at compile time, and `build.rs` fails the build when a key is
//! missing from (or extra in) any language. The locale of a request is decided once, on the server
//! ([`resolve`]): the user's saved preference, then the `strongroom-lang` cookie, then `Accept-Language`,
//! then English. The page is rendered in it (`<html lang>` included) and the browser hydrates with the
//! same value, so nothing flashes from one language to another.
//!
//! Words that must be readable outside a component (errors, notices, labels from `model`) are looked up
//! with `td_string!` for a given [`Locale`].

use crate::error::AppError;
pub use crate::i18n::Locale;
use crate::i18n::{td_string, use_i18n};
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use model::{AuthFailure, Conflict, Field, Forbidden, ValidationError};

/// `template` with each `{name}` replaced by its value. The catalogue's placeholders are single-braced
/// (`leptos_i18n`'s own `{{ }}` interpolation needs a code generator in a build script); `build.rs`
/// checks that every language's text has exactly the placeholders of the English one.
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

/// The cookie that remembers a visitor's choice (also for visitors who are not signed in).
pub const LANG_COOKIE: &str = "strongroom-lang";

/// Every language offered, in the switcher's order.
pub const ALL: [Locale; 4] = [Locale::en, Locale::de, Locale::fr, Locale::tr];

/// The locale a request was answered in, put into its extensions by the server's locale middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLocale(pub Locale);

/// The BCP 47 tag of a locale (`<html lang>`, `Content-Language`, the cookie and the saved preference).
pub fn tag(locale: Locale) -> &'static str {
    locale.as_str()
}

/// A language tag (`de`, `de-AT`, `TR`) as one of ours, by its primary subtag.
pub fn parse_tag(tag: &str) -> Option<Locale> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ALL.into_iter().find(|locale| locale.as_str() == primary)
}

/// The best of our languages for an `Accept-Language` header (RFC 9110 §12.5.4: highest `q` first, in
/// the order given when equal; `q=0` means "not this one").
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranges: Vec<(u16, usize, Locale)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let locale = parse_tag(parts.next()?)?;
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .map_or(Some(1000), |q| q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16))?;
            (quality > 0).then_some((quality, position, locale))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.first().map(|(_, _, locale)| *locale)
}

/// The request's locale: saved preference, then cookie, then `Accept-Language`, then English.
pub fn resolve(preference: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    preference
        .and_then(parse_tag)
        .or_else(|| cookie.and_then(parse_tag))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Locale::en)
}

/// The locale of the page being rendered (the i18n context's; English outside one).
pub fn current() -> Locale {
    use_context::<leptos_i18n::I18nContext<Locale>>().map(|i18n| i18n.get_locale_untracked()).unwrap_or(Locale::en)
}

/// A timestamp as the DTOs carry it (RFC 3339 in UTC, `2026-12-01T14:05:09Z`), in the page's time zone
/// ([`crate::zone`]) and written the way `locale` writes dates and times (`2026-12-01 15:05`,
/// `01.12.2026, 15:05`, `01/12/2026 15:05`, `01.12.2026 15:05`), with its offset from UTC
/// (`UTC+01:00`, or `UTC`). Anything else is shown as it came.
pub fn format_timestamp(locale: Locale, iso: &str) -> String {
    let Some(at) = crate::zone::parse_rfc3339(iso) else { return iso.to_owned() };
    let offset = crate::zone::current().offset_at(at);
    let (year, month, day, hour, minute) = crate::zone::civil(at + i64::from(offset));
    let time = format!("{hour:02}:{minute:02}");
    let date_time = match locale {
        Locale::en => format!("{year:04}-{month:02}-{day:02} {time}"),
        Locale::de => format!("{day:02}.{month:02}.{year:04}, {time}"),
        Locale::fr => format!("{day:02}/{month:02}/{year:04} {time}"),
        Locale::tr => format!("{day:02}.{month:02}.{year:04} {time}"),
    };
    if offset == 0 {
        crate::lang::fill(td_string!(locale, common.time_utc), &[("time", &date_time)])
    } else {
        let offset = crate::zone::offset_words(offset);
        crate::lang::fill(td_string!(locale, common.time_offset), &[("time", &date_time), ("offset", &offset)])
    }
}

/// A role's name: built-in roles in the page's language (they are stored under their English name),
/// custom roles as their workspace named them.
pub fn role_name(locale: Locale, name: &str) -> String {
    use model::BuiltinRole;
    let Some(role) = BuiltinRole::ALL.into_iter().find(|role| role.name() == name) else { return name.to_owned() };
    let text = match role {
        BuiltinRole::Owner => td_string!(locale, builtin_roles.owner),
        BuiltinRole::Admin => td_string!(locale, builtin_roles.admin),
        BuiltinRole::Approver => td_string!(locale, builtin_roles.approver),
        BuiltinRole::Member => td_string!(locale, builtin_roles.member),
        BuiltinRole::Viewer => td_string!(locale, builtin_roles.viewer),
    };
    text.to_owned()
}

/// What a permission allows, for the roles page.
pub fn permission_label(locale: Locale, permission: model::Permission) -> &'static str {
    use model::Permission as P;
    match permission {
        P::WorkspaceView => td_string!(locale, permissions.workspace_view),
        P::MembersView => td_string!(locale, permissions.members_view),
        P::MembersInvite => td_string!(locale, permissions.members_invite),
        P::MembersRemove => td_string!(locale, permissions.members_remove),
        P::MembersAssignRoles => td_string!(locale, permissions.members_assign_roles),
        P::RolesManage => td_string!(locale, permissions.roles_manage),
        P::PoliciesManage => td_string!(locale, permissions.policies_manage),
        P::AuditView => td_string!(locale, permissions.audit_view),
        P::AuditExport => td_string!(locale, permissions.audit_export),
        P::SuppliersView => td_string!(locale, permissions.suppliers_view),
        P::SuppliersManage => td_string!(locale, permissions.suppliers_manage),
        P::RequestsCreate => td_string!(locale, permissions.requests_create),
        P::RequestsViewAll => td_string!(locale, permissions.requests_view_all),
        P::RequestsApprove => td_string!(locale, permissions.requests_approve),
        P::OrdersView => td_string!(locale, permissions.orders_view),
        P::BillingManage => td_string!(locale, permissions.billing_manage),
        P::CustomersView => td_string!(locale, permissions.customers_view),
        P::CustomersManage => td_string!(locale, permissions.customers_manage),
        P::SalesView => td_string!(locale, permissions.sales_view),
        P::SalesManage => td_string!(locale, permissions.sales_manage),
        P::SalesExport => td_string!(locale, permissions.sales_export),
        P::ContactReveal => td_string!(locale, permissions.contact_reveal),
        P::KeysManage => td_string!(locale, permissions.keys_manage),
        P::BackupsManage => td_string!(locale, permissions.backups_manage),
    }
}

/// A purchase request's status.
pub fn status_label(locale: Locale, status: crate::dto::RequestStatusDto) -> &'static str {
    use crate::dto::RequestStatusDto as S;
    match status {
        S::Pending => td_string!(locale, status.pending),
        S::Approved => td_string!(locale, status.approved),
        S::Denied => td_string!(locale, status.denied),
        S::Withdrawn => td_string!(locale, status.withdrawn),
    }
}

/// A field's label.
pub fn field_label(locale: Locale, field: Field) -> String {
    let text = match field {
        Field::WorkspaceName => td_string!(locale, fields.workspace_name),
        Field::WorkspaceSlug => td_string!(locale, fields.workspace_slug),
        Field::Email => td_string!(locale, fields.email),
        Field::Password => td_string!(locale, fields.password),
        Field::NewPassword => td_string!(locale, fields.new_password),
        Field::Code => td_string!(locale, fields.code),
        Field::Amount => td_string!(locale, fields.amount),
        Field::Quantity => td_string!(locale, fields.quantity),
        Field::Description => td_string!(locale, fields.description),
        Field::Title => td_string!(locale, fields.title),
        Field::Supplier => td_string!(locale, fields.supplier),
        Field::SupplierName => td_string!(locale, fields.supplier_name),
        Field::RoleName => td_string!(locale, fields.role_name),
        Field::Comment => td_string!(locale, fields.comment),
        Field::Policy => td_string!(locale, fields.policy),
        Field::CustomerName => td_string!(locale, fields.customer_name),
        Field::Phone => td_string!(locale, fields.phone),
        Field::PostalAddress => td_string!(locale, fields.postal_address),
        Field::Notes => td_string!(locale, fields.notes),
        Field::Customer => td_string!(locale, fields.customer),
        Field::Reason => td_string!(locale, fields.reason),
        Field::Currency => td_string!(locale, fields.currency),
        Field::File => td_string!(locale, fields.file),
        Field::Passphrase => td_string!(locale, fields.passphrase),
        Field::TimeZone => td_string!(locale, fields.time_zone),
    };
    text.to_owned()
}

/// A broken input rule, in words.
pub fn validation_text(locale: Locale, rule: &ValidationError) -> String {
    use ValidationError as V;
    let field = field_label(locale, rule.field());
    let field = field.as_str();
    match rule {
        V::Required { .. } => crate::lang::fill(td_string!(locale, errors.required), &[("field", &field)]),
        V::TooShort { min, .. } => {
            crate::lang::fill(td_string!(locale, errors.too_short), &[("field", &field), ("min", min)])
        }
        V::TooLong { max, .. } => {
            crate::lang::fill(td_string!(locale, errors.too_long), &[("field", &field), ("max", max)])
        }
        V::ForbiddenCharacters { .. } => {
            crate::lang::fill(td_string!(locale, errors.forbidden_characters), &[("field", &field)])
        }
        V::Reserved { .. } => crate::lang::fill(td_string!(locale, errors.reserved), &[("field", &field)]),
        V::NotAnEmailAddress { .. } => crate::lang::fill(td_string!(locale, errors.not_an_email), &[("field", &field)]),
        V::CommonPassword { .. } => crate::lang::fill(td_string!(locale, errors.common_password), &[("field", &field)]),
        V::NotACode { digits, .. } => {
            crate::lang::fill(td_string!(locale, errors.not_a_code), &[("field", &field), ("digits", digits)])
        }
        V::NotAnAmount { .. } => crate::lang::fill(td_string!(locale, errors.not_an_amount), &[("field", &field)]),
        V::OutOfRange { min, max, .. } => {
            crate::lang::fill(td_string!(locale, errors.out_of_range), &[("field", &field), ("min", min), ("max", max)])
        }
        V::CannotLower { .. } => crate::lang::fill(td_string!(locale, errors.cannot_lower), &[("field", &field)]),
        V::FileType { .. } => crate::lang::fill(td_string!(locale, errors.file_type), &[("field", &field)]),
        V::FileTooLarge { max_kib, .. } => {
            crate::lang::fill(td_string!(locale, errors.file_too_large), &[("field", &field), ("max_kib", max_kib)])
        }
        V::UnknownTimeZone { .. } => {
            crate::lang::fill(td_string!(locale, errors.unknown_time_zone), &[("field", &field)])
        }
    }
}

fn forbidden_text(locale: Locale, reason: Forbidden) -> &'static str {
    match reason {
        Forbidden::MissingPermission => td_string!(locale, errors.missing_permission),
        Forbidden::SelfApproval => td_string!(locale, errors.self_approval),
        Forbidden::OwnerOnly => td_string!(locale, errors.owner_only),
        Forbidden::CannotGrantUnheldPermission => td_string!(locale, errors.cannot_grant_unheld),
        Forbidden::BuiltinRole => td_string!(locale, errors.builtin_role),
        Forbidden::PaymentOverdue => td_string!(locale, errors.payment_overdue),
        Forbidden::RevealLimitReached => td_string!(locale, errors.reveal_limit),
    }
}

fn conflict_text(locale: Locale, conflict: Conflict) -> &'static str {
    match conflict {
        Conflict::WorkspaceAddressesExhausted => td_string!(locale, errors.addresses_exhausted),
        Conflict::AlreadyDecided => td_string!(locale, errors.already_decided),
        Conflict::LastOwner => td_string!(locale, errors.last_owner),
        Conflict::AlreadyMember => td_string!(locale, errors.already_member),
        Conflict::InvitationForSomeoneElse => td_string!(locale, errors.invitation_for_someone_else),
        Conflict::RoleNameTaken => td_string!(locale, errors.role_name_taken),
        Conflict::MemberNeedsARole => td_string!(locale, errors.member_needs_a_role),
        Conflict::WorkspaceLimitReached => td_string!(locale, errors.workspace_limit),
        Conflict::InvitationLimitReached => td_string!(locale, errors.invitation_limit),
        Conflict::OrderStatusChange => td_string!(locale, errors.order_status_change),
        Conflict::RotationInProgress => td_string!(locale, errors.rotation_in_progress),
        Conflict::PlanMemberLimit => td_string!(locale, errors.plan_member_limit),
        Conflict::AttachmentQuotaReached => td_string!(locale, errors.attachment_quota),
        Conflict::BackupOperationRunning => td_string!(locale, errors.backup_running),
        Conflict::RestoreLeavesNoOwner => td_string!(locale, errors.restore_no_owner),
    }
}

fn auth_text(locale: Locale, failure: &AuthFailure) -> String {
    use AuthFailure as F;
    let text = match failure {
        F::InvalidCredentials => td_string!(locale, errors.invalid_credentials),
        F::NetworkBlocked { retry_after_minutes } => {
            return crate::lang::fill(td_string!(locale, errors.network_blocked), &[("minutes", retry_after_minutes)]);
        }
        F::CodeIncorrect { tries_left } => {
            return crate::lang::fill(td_string!(locale, errors.code_incorrect), &[("tries", tries_left)]);
        }
        F::AccountProtected => td_string!(locale, errors.account_protected),
        F::ProofOfWorkRequired { .. } => td_string!(locale, errors.proof_of_work_required),
        F::ProofOfWorkInvalid => td_string!(locale, errors.proof_of_work_invalid),
        F::EmailNotVerified => td_string!(locale, errors.email_not_verified),
        F::AccountLocked => td_string!(locale, errors.account_locked),
        F::CodeExpired => td_string!(locale, errors.code_expired),
        F::CodeNotAccepted => td_string!(locale, errors.code_not_accepted),
        F::TooManyCodes => td_string!(locale, errors.too_many_codes),
        F::SignInTimedOut => td_string!(locale, errors.sign_in_timed_out),
        F::LinkInvalid => td_string!(locale, errors.link_invalid),
        F::WrongPassword => td_string!(locale, errors.wrong_password),
        F::TotpCodeIncorrect => td_string!(locale, errors.totp_code_incorrect),
        F::TotpAlreadyEnabled => td_string!(locale, errors.totp_already_enabled),
        F::TotpNotEnrolling => td_string!(locale, errors.totp_not_enrolling),
        F::TotpNotEnabled => td_string!(locale, errors.totp_not_enabled),
        F::SignInRequired => td_string!(locale, errors.sign_in_required),
        F::RateLimited => td_string!(locale, errors.rate_limited),
        F::TwoFactorRequired => td_string!(locale, errors.two_factor_required),
        F::PasswordChangeRequired => td_string!(locale, errors.password_change_required),
        F::AddressNotAllowed => td_string!(locale, errors.address_not_allowed),
        F::WorkspaceSessionExpired => td_string!(locale, errors.workspace_session_expired),
    };
    text.to_owned()
}

/// An error of a server function, in words the user can act on.
pub fn error_text(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Invalid(rule) => validation_text(locale, rule),
        AppError::Conflict(conflict) => conflict_text(locale, *conflict).to_owned(),
        AppError::Forbidden(reason) => forbidden_text(locale, *reason).to_owned(),
        AppError::NotFound => td_string!(locale, errors.not_found).to_owned(),
        AppError::Internal { reference } => {
            crate::lang::fill(td_string!(locale, errors.internal), &[("reference", &reference.to_string())])
        }
        AppError::Auth(failure) => auth_text(locale, failure),
        AppError::CsrfRejected => td_string!(locale, errors.csrf_rejected).to_owned(),
        AppError::BadRequest => td_string!(locale, errors.bad_request).to_owned(),
    }
}

/// The language switcher: a plain form (works without WebAssembly) that saves the choice in a cookie,
/// and in the account when signed in, then reloads the page in the new language.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let action = ServerAction::<crate::api::SetLanguage>::new();
    Effect::new(move || {
        if let Some(Ok(next)) = action.value().get() {
            crate::components::hard_navigate(&next);
        }
    });
    view! {
        <ActionForm action=action attr:class="inline-form language-switcher">
            <crate::components::CsrfField/>
            <label for="language-select" class="visually-hidden">{td_string!(locale, header.language)}</label>
            <select id="language-select" name="locale" data-testid="language-select">
                {ALL.into_iter().map(|option| view! {
                    <option value=option.as_str() selected=option == locale lang=option.as_str()>{native_name(option)}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="link-button">{td_string!(locale, header.change_language)}</button>
        </ActionForm>
    }
}

/// A language's own name for itself (shown in the switcher in that language).
pub fn native_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::de => "Deutsch",
        Locale::fr => "Français",
        Locale::tr => "Türkçe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_goes_preference_cookie_header_then_english() {
        assert_eq!(resolve(Some("fr"), Some("de"), Some("tr")), Locale::fr);
        assert_eq!(resolve(None, Some("de"), Some("tr")), Locale::de);
        assert_eq!(resolve(Some("xx"), Some("zz"), Some("tr-TR,tr;q=0.9")), Locale::tr);
        assert_eq!(resolve(None, None, None), Locale::en);
        assert_eq!(resolve(None, None, Some("ja, zh;q=0.8")), Locale::en);
    }

    #[test]
    fn accept_language_takes_the_highest_quality_we_offer() {
        assert_eq!(from_accept_language("en;q=0.5, fr-CH, de;q=0.9"), Some(Locale::fr));
        assert_eq!(from_accept_language("ja, de-AT;q=0.7, tr;q=0.7"), Some(Locale::de));
        assert_eq!(from_accept_language("tr;q=0, fr;q=0.1"), Some(Locale::fr));
        assert_eq!(from_accept_language("TR"), Some(Locale::tr));
        assert_eq!(from_accept_language("de;q=abc"), None);
    }

    #[test]
    fn timestamps_follow_the_locale() {
        let at = "2026-12-01T14:05:09Z";
        assert_eq!(format_timestamp(Locale::en, at), "2026-12-01 14:05 UTC");
        assert_eq!(format_timestamp(Locale::de, at), "01.12.2026, 14:05 UTC");
        assert_eq!(format_timestamp(Locale::fr, at), "01/12/2026 14:05 UTC");
        assert_eq!(format_timestamp(Locale::tr, at), "01.12.2026 14:05 UTC");
        assert_eq!(format_timestamp(Locale::de, "soon"), "soon");
    }

    #[test]
    /// Proves: UX3
    fn a_timestamp_is_shown_in_the_pages_time_zone_with_the_offset_it_had_then() {
        use crate::zone::ViewerZone;
        let owner = leptos::prelude::Owner::new();
        owner.with(|| {
            // Europe/Berlin around 2026: summer time from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
            let changes = vec![(946_684_800, 3600), (1_774_746_000, 7200), (1_792_890_000, 3600)];
            provide_context(ViewerZone { name: "Europe/Berlin".into(), changes });
            assert_eq!(format_timestamp(Locale::de, "2026-12-01T14:05:09Z"), "01.12.2026, 15:05 UTC+01:00");
            assert_eq!(format_timestamp(Locale::de, "2026-07-01T14:05:09Z"), "01.07.2026, 16:05 UTC+02:00");
            assert_eq!(format_timestamp(Locale::en, "2026-12-31T23:30:00Z"), "2027-01-01 00:30 UTC+01:00");
            assert_eq!(format_timestamp(Locale::tr, "2026-03-29T00:59:59Z"), "29.03.2026 01:59 UTC+01:00");
            assert_eq!(format_timestamp(Locale::tr, "2026-03-29T01:00:00Z"), "29.03.2026 03:00 UTC+02:00");
        });
    }

    #[test]
    /// Proves: UX3
    fn every_error_has_words_in_every_language_and_they_differ_from_english() {
        let samples = [
            AppError::NotFound,
            AppError::CsrfRejected,
            AppError::Auth(AuthFailure::InvalidCredentials),
            AppError::Auth(AuthFailure::CodeIncorrect { tries_left: 2 }),
            AppError::Invalid(ValidationError::TooShort { field: Field::NewPassword, min: 12 }),
            AppError::Conflict(Conflict::LastOwner),
            AppError::Forbidden(Forbidden::SelfApproval),
        ];
        for error in &samples {
            let english = error_text(Locale::en, error);
            assert_eq!(english, error.to_string(), "the English catalogue says what the type says");
            for locale in [Locale::de, Locale::fr, Locale::tr] {
                let text = error_text(locale, error);
                assert!(!text.is_empty() && text != english, "{locale:?}: {text}");
            }
        }
        assert!(error_text(Locale::de, &samples[3]).contains('2'));
        assert!(error_text(Locale::tr, &samples[4]).contains("12"));
    }
}
