//! OPS2 with TN2: a backup restored onto live brings back the workspace's rows, but not anybody removed
//! since; whoever joined since loses the membership; every open session acts with the restored roles
//! at its next request; and a restore that would leave no owner is undone.

use crate::harness::TestApp;
use crate::workspaces::crash_consistency::{actions, assert_consistent, memberships, tenant as workspace, user_id};
use crate::workspaces::fixture::{Team, get, get_status};
use domain::backup::quiet;
use domain::workspace::audit::Actor;

#[tokio::test]
/// Proves: OPS2, TN2
async fn a_restore_onto_live_lets_nobody_back_in_who_was_removed_since_and_sessions_get_the_restored_roles() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Restored Co", "owner@example.com").await;
    let stays = team.member(&app, "stays@example.com", "member").await;
    let removed = team.member(&app, "removed@example.com", "member").await;
    let (tenant, _) = workspace(&app, &team.slug).await;
    let (stays_id, removed_id) =
        (user_id(&team, "stays@example.com").await, user_id(&team, "removed@example.com").await);
    let backups = app.platform.backups();
    let backup = backups.back_up_workspace(tenant, quiet()).await.unwrap();

    // Since the backup: one member removed, one promoted to administrator, one newly joined.
    let remove = [("slug", team.slug.as_str()), ("user", removed_id.as_str())];
    assert_eq!(team.owner.call("admin/members/remove", &remove).await.status(), 200);
    let promote = [("slug", team.slug.as_str()), ("user", stays_id.as_str()), ("role", "admin"), ("grant", "true")];
    assert_eq!(team.owner.call("admin/members/role", &promote).await.status(), 200);
    let joined = team.member(&app, "joined@example.com", "member").await;
    let joined_id = user_id(&team, "joined@example.com").await;
    let members_page = format!("/rpc/admin/members?slug={}", team.slug);
    assert_eq!(get_status(&stays, &members_page).await, 200, "an administrator now");

    let done = backups.restore_onto_live(backup.id, &Actor::system(), quiet()).await.unwrap();
    assert_eq!(done.members.removed, vec![removed_id.parse::<uuid::Uuid>().unwrap()], "{:?}", done.members);
    assert_eq!(done.members.ended, vec![joined_id.parse::<uuid::Uuid>().unwrap()], "{:?}", done.members);

    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    assert_eq!(get_status(&removed, &home).await, 404, "removed since the backup: still out");
    assert_eq!(get_status(&joined, &home).await, 404, "not in the backup: out, to be invited again");
    assert_eq!(get_status(&stays, &home).await, 200);
    assert_eq!(get_status(&team.owner, &home).await, 200);
    // The same session of the promoted member acts with the restored roles at its next request.
    assert_eq!(get_status(&stays, &members_page).await, 403, "the restored roles hold at once");
    // The workspace's members and the control plane agree, and sign-in's `administrative` flag
    // follows the restored roles.
    let (_, db) = workspace(&app, &team.slug).await; // a restore replaced the pool
    assert_consistent(&app, tenant, &db).await;
    let stays_uuid: uuid::Uuid = stays_id.parse().unwrap();
    let flags = memberships(&app, tenant).await;
    assert_eq!(flags.iter().find(|(u, _)| *u == stays_uuid).map(|(_, a)| *a), Some(false), "{flags:?}");
    let listed = get(&team.owner, &members_page).await.to_string();
    assert!(!listed.contains("removed@example.com") && !listed.contains("joined@example.com"), "{listed}");
    assert!(actions(&db).await.contains(&"backup.members_aligned".to_owned()));
}

#[tokio::test]
/// Proves: OPS2, TN2
async fn a_restore_that_would_leave_the_workspace_without_an_owner_is_undone() {
    let app = TestApp::spawn().await;
    let team = Team::create(&app, "Handed Over", "first@example.com").await;
    let (tenant, _) = workspace(&app, &team.slug).await;
    let backups = app.platform.backups();
    let backup = backups.back_up_workspace(tenant, quiet()).await.unwrap();
    // Since the backup the workspace changed hands: a new owner, and the first one left.
    let second = team.member(&app, "second@example.com", "owner").await;
    assert_eq!(team.owner.call("workspaces/leave", &[("slug", &team.slug)]).await.status(), 200);

    // The new owner restores the backup from the page, and is told why nothing changed.
    let id = backup.id.to_string();
    let form = [("slug", team.slug.as_str()), ("id", id.as_str()), ("confirm", team.slug.as_str())];
    assert_eq!(second.call("admin/backups/restore", &form).await.status(), 200);
    let (page, _) = super::admin_page::until_finished(&second, &team.slug).await;
    assert_eq!(page["operation"]["outcome"], "refused", "{page}");
    assert_eq!(page["operation"]["refusal"], "RestoreLeavesNoOwner", "{page}");

    let home = format!("/rpc/workspaces/home?slug={}", team.slug);
    assert_eq!(get_status(&second, &home).await, 200, "the owner of now still owns it");
    assert_eq!(get_status(&team.owner, &home).await, 404, "the owner who left stays out");
    let (_, db) = workspace(&app, &team.slug).await; // a restore replaced the pool
    assert_consistent(&app, tenant, &db).await;
    assert!(actions(&db).await.contains(&"backup.restore_undone".to_owned()), "{:?}", actions(&db).await);
}
