use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{ChangeMemberRole, InviteMember, RemoveMember, RevokeInvitation, members_page};
use crate::components::{CsrfField, InputField, Notice, field_error, form_error, refresh_on_success};
use crate::dto::{MemberDto, MembersDto, RoleDto};
use crate::i18n::{t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission};

#[component]
pub fn MembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let slug = slug();
    let refresh = crate::components::refresh();
    let query = leptos_router::hooks::use_query_map();
    let data = Resource::new_blocking(
        move || (slug.get(), query.read().get("notice"), refresh.get()),
        |(slug, _, _)| members_page(slug),
    );
    view! {
        <Title text=t_string!(i18n, members.title)/>
        <Suspense fallback=move || view! { <p class="card">{t_string!(use_i18n(), common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Members page/> }.into_any(),
                    Err(error) => workspace_error(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Members(page: MembersDto) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let MembersDto { home, members, invitations, roles } = page;
    let slug = home.workspace.slug.clone();
    let can_invite = home.can(Permission::MembersInvite);
    let can_remove = home.can(Permission::MembersRemove);
    let can_assign = home.can(Permission::MembersAssignRoles);
    view! {
        <WorkspaceNav home=home.clone()/>
        <Notice/>
        <section class="card">
            <h1>{t_string!(i18n, members.title)}</h1>
            <ul class="rows" data-testid="members">
                {members.into_iter().map(|member| view! {
                    <MemberRow member slug=slug.clone() roles=roles.clone() can_remove can_assign/>
                }).collect_view()}
            </ul>
        </section>
        {can_invite.then(|| view! { <InviteForm slug=slug.clone() roles=roles.clone()/> })}
        {(can_invite && !invitations.is_empty()).then(|| {
            let slug = slug.clone();
            view! {
                <section class="card" aria-labelledby="invitations-title">
                    <h2 id="invitations-title">{t_string!(i18n, members.open_invitations)}</h2>
                    <ul class="rows" data-testid="invitations">
                        {invitations.into_iter().map(|i| {
                            let revoke = ServerAction::<RevokeInvitation>::new();
                            refresh_on_success(revoke.value());
                            let slug = slug.clone();
                            view! {
                                <li class="row">
                                    <span>{i.email}</span>
                                    <span class="hint">{crate::lang::fill(t_string!(i18n, members.until), &[("roles", &i.roles.iter().map(|r| crate::lang::role_name(locale, r)).collect::<Vec<_>>().join(", ")), ("at", &crate::lang::format_timestamp(locale, &i.expires_at))])}</span>
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <CsrfField/>
                                        <input type="hidden" name="slug" value=slug/>
                                        <input type="hidden" name="id" value=i.id/>
                                        <button type="submit" class="link-button">{t_string!(i18n, members.revoke)}</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })}
    }
}

#[component]
fn MemberRow(
    member: MemberDto,
    slug: String,
    roles: Vec<RoleDto>,
    can_remove: bool,
    can_assign: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let remove = ServerAction::<RemoveMember>::new();
    refresh_on_success(remove.value());
    let held: Vec<String> = member.roles.iter().map(|(key, _)| key.clone()).collect();
    let toggles = roles
        .into_iter()
        .map(|role| {
            let change = ServerAction::<ChangeMemberRole>::new();
            refresh_on_success(change.value());
            let holds = held.contains(&role.key);
            let (slug, user) = (slug.clone(), member.user.clone());
            view! {
                <li>
                    <ActionForm action=change attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="slug" value=slug/>
                        <input type="hidden" name="user" value=user/>
                        <input type="hidden" name="role" value=role.key.clone()/>
                        <input type="hidden" name="grant" value=(!holds).to_string()/>
                        <button type="submit" class="link-button">{if holds { crate::lang::fill(t_string!(i18n, members.remove_role), &[("role", &crate::lang::role_name(locale, &role.name))]) } else { crate::lang::fill(t_string!(i18n, members.add_role), &[("role", &crate::lang::role_name(locale, &role.name))]) }}</button>
                    </ActionForm>
                    <span class="field-error" role="alert">{move || crate::components::any_error(change.value()).get()}</span>
                </li>
            }
        })
        .collect_view();
    let role_names =
        member.roles.iter().map(|(_, name)| crate::lang::role_name(locale, name)).collect::<Vec<_>>().join(", ");
    view! {
        <li class="row member" data-testid="member">
            <strong>{member.email.clone()}</strong>
            <span class="hint">{role_names}</span>
            {can_assign.then(|| view! {
                <details class="role-editor">
                    <summary>{t_string!(i18n, members.roles)}</summary>
                    <ul class="role-toggles">{toggles}</ul>
                </details>
            })}
            {can_remove.then(|| view! {
                <ActionForm action=remove attr:class="inline-form">
                    <CsrfField/>
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <input type="hidden" name="user" value=member.user.clone()/>
                    <button type="submit" class="link-button">{t_string!(i18n, common.remove)}</button>
                </ActionForm>
                <span class="field-error" role="alert">{move || crate::components::any_error(remove.value()).get()}</span>
            })}
        </li>
    }
}

#[component]
fn InviteForm(slug: String, roles: Vec<RoleDto>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = crate::lang::current();
    let action = ServerAction::<InviteMember>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">{t_string!(i18n, members.invite_heading)}</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="invite-email" name="email" label=t_string!(i18n, common.email) kind="email" error=field_error(value, Field::Email)/>
                <label for="invite-role">{t_string!(i18n, members.role)}</label>
                <select id="invite-role" name="role">
                    {roles.into_iter().map(|r| {
                        let selected = r.key == "member";
                        view! { <option value=r.key selected=selected>{crate::lang::role_name(locale, &r.name)}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>{t_string!(i18n, members.send_invitation)}</button>
            </ActionForm>
        </section>
    }
}
