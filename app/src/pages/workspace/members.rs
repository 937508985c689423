use super::nav::WorkspaceNav;
use super::{slug, workspace_error};
use crate::api::{ChangeMemberRole, InviteMember, RemoveMember, RevokeInvitation, members_page};
use crate::components::{CsrfField, InputField, Notice, field_error, form_error, refresh_on_success};
use crate::dto::{MemberDto, MembersDto, RoleDto};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Field, Permission};

#[component]
pub fn MembersPage() -> impl IntoView {
    let slug = slug();
    let refresh = crate::components::refresh();
    let query = leptos_router::hooks::use_query_map();
    let data = Resource::new_blocking(
        move || (slug.get(), query.read().get("notice"), refresh.get()),
        |(slug, _, _)| members_page(slug),
    );
    view! {
        <Title text="Members"/>
        <Suspense fallback=|| view! { <p class="card">"Loading…"</p> }>
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
    let MembersDto { home, members, invitations, roles } = page;
    let slug = home.workspace.slug.clone();
    let can_invite = home.can(Permission::MembersInvite);
    let can_remove = home.can(Permission::MembersRemove);
    let can_assign = home.can(Permission::MembersAssignRoles);
    view! {
        <WorkspaceNav home=home.clone()/>
        <Notice/>
        <section class="card">
            <h1>"Members"</h1>
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
                    <h2 id="invitations-title">"Open invitations"</h2>
                    <ul class="rows" data-testid="invitations">
                        {invitations.into_iter().map(|i| {
                            let revoke = ServerAction::<RevokeInvitation>::new();
                            refresh_on_success(revoke.value());
                            let slug = slug.clone();
                            view! {
                                <li class="row">
                                    <span>{i.email}</span>
                                    <span class="hint">{format!("{} · until {}", i.roles.join(", "), i.expires_at.replace('T', " ").replace('Z', " UTC"))}</span>
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <CsrfField/>
                                        <input type="hidden" name="slug" value=slug/>
                                        <input type="hidden" name="id" value=i.id/>
                                        <button type="submit" class="link-button">"Revoke"</button>
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
                        <button type="submit" class="link-button">{format!("{} {}", if holds { "Remove" } else { "Add" }, role.name)}</button>
                    </ActionForm>
                    <span class="field-error" role="alert">{move || change.value().get().and_then(Result::err).map(|e| e.to_string())}</span>
                </li>
            }
        })
        .collect_view();
    let role_names = member.roles.iter().map(|(_, name)| name.clone()).collect::<Vec<_>>().join(", ");
    view! {
        <li class="row member" data-testid="member">
            <strong>{member.email.clone()}</strong>
            <span class="hint">{role_names}</span>
            {can_assign.then(|| view! {
                <details class="role-editor">
                    <summary>"Roles"</summary>
                    <ul class="role-toggles">{toggles}</ul>
                </details>
            })}
            {can_remove.then(|| view! {
                <ActionForm action=remove attr:class="inline-form">
                    <CsrfField/>
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <input type="hidden" name="user" value=member.user.clone()/>
                    <button type="submit" class="link-button">"Remove"</button>
                </ActionForm>
                <span class="field-error" role="alert">{move || remove.value().get().and_then(Result::err).map(|e| e.to_string())}</span>
            })}
        </li>
    }
}

#[component]
fn InviteForm(slug: String, roles: Vec<RoleDto>) -> impl IntoView {
    let action = ServerAction::<InviteMember>::new();
    let value = action.value();
    refresh_on_success(value);
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite someone"</h2>
            <ActionForm action=action attr:class="form">
                <CsrfField/>
                <input type="hidden" name="slug" value=slug/>
                <InputField id="invite-email" name="email" label="Email address" kind="email" error=field_error(value, Field::Email)/>
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="role">
                    {roles.into_iter().map(|r| {
                        let selected = r.key == "member";
                        view! { <option value=r.key selected=selected>{r.name}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" role="alert">{move || form_error(value, &[Field::Email]).get()}</p>
                <button type="submit" disabled=move || action.pending().get()>"Send invitation"</button>
            </ActionForm>
        </section>
    }
}
