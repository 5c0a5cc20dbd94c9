package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// update runs fn in a write unit of work and fails the test on error.
func update(t *testing.T, s *sqlstore.Store, fn func(tx chat.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// view runs fn in a read unit of work and fails the test on error.
func view(t *testing.T, s *sqlstore.Store, fn func(tx chat.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func mustUser(t *testing.T, s *sqlstore.Store, org chat.OrgID, name string) *chat.User {
	t.Helper()
	u := &chat.User{OrgID: org, Username: name, Name: name, Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
	update(t, s, func(tx chat.Tx) error { return tx.InsertUser(context.Background(), u) })
	return u
}

func mustChannel(t *testing.T, s *sqlstore.Store, org chat.OrgID, name string) *chat.Channel {
	t.Helper()
	c := &chat.Channel{OrgID: org, Name: name, Visibility: chat.VisibleHidden, CreatedAt: now(), UpdatedAt: now()}
	update(t, s, func(tx chat.Tx) error { return tx.InsertChannel(context.Background(), c) })
	return c
}

func mustOrgNamed(t *testing.T, s *sqlstore.Store, name string) *chat.Org {
	t.Helper()
	o := &chat.Org{Slug: "slug-" + name, JoinSecret: "js-" + name, Flags: map[string]bool{}, CreatedAt: now(), UpdatedAt: now()}
	update(t, s, func(tx chat.Tx) error { return tx.InsertOrg(context.Background(), o) })
	return o
}

func TestRoleContract(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org, other := mustOrgNamed(t, s, "a"), mustOrgNamed(t, s, "b")
		ada, bob := mustUser(t, s, org.ID, "ada"), mustUser(t, s, org.ID, "bob")
		eve := mustUser(t, s, other.ID, "eve")
		general := mustChannel(t, s, org.ID, "general")

		admin := &chat.Role{OrgID: org.ID, Name: "Admin", Administrator: true, CreatedAt: now()}
		mods := &chat.Role{OrgID: org.ID, Name: "Mods", ManageChannels: true, CreatedAt: now()}
		foreign := &chat.Role{OrgID: other.ID, Name: "Theirs", ManageRoles: true, CreatedAt: now()}
		update(t, s, func(tx chat.Tx) error {
			for _, r := range []*chat.Role{admin, mods, foreign} {
				if err := tx.InsertRole(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})

		t.Run("RolesAreScopedToTheOrg", func(t *testing.T) {
			view(t, s, func(tx chat.ReadTx) error {
				got, err := tx.RoleByID(ctx, org.ID, admin.ID)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(admin, got); diff != "" {
					t.Errorf("RoleByID (-want +got):\n%s", diff)
				}
				if _, err := tx.RoleByID(ctx, org.ID, foreign.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("RoleByID(other org's role) = %v, want not_found", err)
				}
				roles, err := tx.Roles(ctx, org.ID, 0)
				if err != nil {
					return err
				}
				if len(roles) != 2 || roles[0].ID != admin.ID || roles[1].ID != mods.ID {
					t.Errorf("Roles(org) = %v, want admin and mods", roles)
				}
				return nil
			})
		})

		t.Run("AssignmentsAndPerms", func(t *testing.T) {
			adaAdmin := &chat.UserRole{OrgID: org.ID, UserID: ada.ID, RoleID: admin.ID}
			bobMods := &chat.UserRole{OrgID: org.ID, UserID: bob.ID, RoleID: mods.ID}
			eveTheirs := &chat.UserRole{OrgID: other.ID, UserID: eve.ID, RoleID: foreign.ID}
			update(t, s, func(tx chat.Tx) error {
				for _, ur := range []*chat.UserRole{adaAdmin, bobMods, eveTheirs} {
					if err := tx.InsertUserRole(ctx, ur, now()); err != nil {
						return err
					}
				}
				return nil
			})
			view(t, s, func(tx chat.ReadTx) error {
				all, err := tx.UserRoles(ctx, org.ID, 0, 0)
				if err != nil {
					return err
				}
				if len(all) != 2 {
					t.Errorf("UserRoles(org) = %d assignments, want 2 (not the other org's)", len(all))
				}
				mine, err := tx.UserRoles(ctx, org.ID, bob.ID, mods.ID)
				if err != nil {
					return err
				}
				if len(mine) != 1 || *mine[0] != *bobMods {
					t.Errorf("UserRoles(bob, mods) = %v, want %v", mine, bobMods)
				}
				if _, err := tx.UserRoleByID(ctx, org.ID, eveTheirs.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("UserRoleByID(other org's) = %v, want not_found", err)
				}
				roles, err := tx.Roles(ctx, org.ID, bob.ID)
				if err != nil {
					return err
				}
				if len(roles) != 1 || roles[0].ID != mods.ID {
					t.Errorf("Roles(bob) = %v, want mods", roles)
				}
				return nil
			})

			// Ending one assignment, then all of a role's, and deleting a
			// role: each stops counting.
			bobMods.Deleted = true
			update(t, s, func(tx chat.Tx) error { return tx.UpdateUserRole(ctx, bobMods) })
			view(t, s, func(tx chat.ReadTx) error {
				if p, err := tx.UserPerms(ctx, org.ID, bob.ID); err != nil || p != 0 {
					t.Errorf("bob's perms after unassigning = %b, %v; want none", p, err)
				}
				if roles, err := tx.Roles(ctx, org.ID, bob.ID); err != nil || len(roles) != 0 {
					t.Errorf("Roles(bob) after unassigning = %v, %v", roles, err)
				}
				return nil
			})
			update(t, s, func(tx chat.Tx) error { return tx.DeleteUserRoles(ctx, org.ID, 0, admin.ID) })
			view(t, s, func(tx chat.ReadTx) error {
				if p, _ := tx.UserPerms(ctx, org.ID, ada.ID); p != 0 {
					t.Errorf("ada's perms after the role's assignments ended = %b", p)
				}
				got, err := tx.UserRoleByID(ctx, org.ID, adaAdmin.ID)
				if err != nil || !got.Deleted {
					t.Errorf("ended assignment = %+v, %v; want deleted", got, err)
				}
				// The other org's assignment is untouched.
				if p, _ := tx.UserPerms(ctx, other.ID, eve.ID); p != chat.PermManageRoles {
					t.Errorf("eve's perms = %b, want manage_roles", p)
				}
				return nil
			})
			if err := s.Update(ctx, func(tx chat.Tx) error { return tx.DeleteUserRoles(ctx, org.ID, 0, 0) }); err == nil {
				t.Error("DeleteUserRoles with neither user nor role succeeded")
			}
			update(t, s, func(tx chat.Tx) error {
				if err := tx.InsertUserRole(ctx, &chat.UserRole{OrgID: org.ID, UserID: ada.ID, RoleID: mods.ID}, now()); err != nil {
					return err
				}
				return tx.DeleteUserRoles(ctx, org.ID, ada.ID, 0)
			})
			view(t, s, func(tx chat.ReadTx) error {
				if all, _ := tx.UserRoles(ctx, org.ID, ada.ID, 0); len(all) != 0 {
					t.Errorf("ada keeps %d assignments after DeleteUserRoles(ada)", len(all))
				}
				return nil
			})
			mods.Name, mods.Deleted = "Old mods", true
			update(t, s, func(tx chat.Tx) error { return tx.UpdateRole(ctx, mods) })
			view(t, s, func(tx chat.ReadTx) error {
				got, err := tx.RoleByID(ctx, org.ID, mods.ID)
				if err != nil || got.Name != "Old mods" || !got.Deleted {
					t.Errorf("updated role = %+v, %v", got, err)
				}
				if roles, _ := tx.Roles(ctx, org.ID, 0); len(roles) != 1 {
					t.Errorf("Roles lists %d roles, want 1 (the deleted one left out)", len(roles))
				}
				return nil
			})
		})

		t.Run("ChannelGrants", func(t *testing.T) {
			readers := &chat.Role{OrgID: org.ID, Name: "Readers", CreatedAt: now()}
			carol, dave := mustUser(t, s, org.ID, "carol"), mustUser(t, s, org.ID, "dave")
			var grant, readOnly *chat.ChannelRole
			update(t, s, func(tx chat.Tx) error {
				if err := tx.InsertRole(ctx, readers); err != nil {
					return err
				}
				for _, u := range []chat.UserID{carol.ID, dave.ID} {
					if err := tx.InsertUserRole(ctx, &chat.UserRole{OrgID: org.ID, UserID: u, RoleID: readers.ID}, now()); err != nil {
						return err
					}
				}
				grant = &chat.ChannelRole{OrgID: org.ID, ChannelID: general.ID, RoleID: readers.ID, CanRead: true, CanWrite: true}
				readOnly = &chat.ChannelRole{OrgID: org.ID, ChannelID: general.ID, RoleID: readers.ID, CanRead: true}
				if err := tx.InsertChannelRole(ctx, grant, now()); err != nil {
					return err
				}
				return tx.InsertChannelRole(ctx, readOnly, now())
			})
			view(t, s, func(tx chat.ReadTx) error {
				got, err := tx.ChannelGrantees(ctx, org.ID, general.ID)
				if err != nil {
					return err
				}
				want := map[chat.UserID]chat.Access{carol.ID: chat.AccessRead | chat.AccessWrite, dave.ID: chat.AccessRead | chat.AccessWrite}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ChannelGrantees (-want +got):\n%s", diff)
				}
				crs, err := tx.ChannelRoles(ctx, org.ID, general.ID)
				if err != nil {
					return err
				}
				if len(crs) != 2 || *crs[0] != *grant {
					t.Errorf("ChannelRoles = %v", crs)
				}
				if other, _ := tx.ChannelRoles(ctx, other.ID, 0); len(other) != 0 {
					t.Errorf("the other org sees %d grants", len(other))
				}
				return nil
			})
			grant.Deleted = true
			dave.Deleted = true
			update(t, s, func(tx chat.Tx) error {
				if err := tx.UpdateChannelRole(ctx, grant); err != nil {
					return err
				}
				return tx.UpdateUser(ctx, dave)
			})
			view(t, s, func(tx chat.ReadTx) error {
				got, _ := tx.ChannelGrantees(ctx, org.ID, general.ID)
				if diff := cmp.Diff(map[chat.UserID]chat.Access{carol.ID: chat.AccessRead}, got); diff != "" {
					t.Errorf("ChannelGrantees after revoking and deleting (-want +got):\n%s", diff)
				}
				g, err := tx.ChannelRoleByID(ctx, org.ID, grant.ID)
				if err != nil || !g.Deleted {
					t.Errorf("ChannelRoleByID(revoked) = %+v, %v", g, err)
				}
				if _, err := tx.ChannelRoleByID(ctx, other.ID, grant.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("ChannelRoleByID from the other org = %v, want not_found", err)
				}
				return nil
			})
			update(t, s, func(tx chat.Tx) error { return tx.DeleteChannelRoles(ctx, org.ID, general.ID) })
			view(t, s, func(tx chat.ReadTx) error {
				if crs, _ := tx.ChannelRoles(ctx, org.ID, 0); len(crs) != 0 {
					t.Errorf("grants left after DeleteChannelRoles: %v", crs)
				}
				if g, _ := tx.ChannelGrants(ctx, org.ID, carol.ID); len(g) != 0 {
					t.Errorf("carol keeps grants %v", g)
				}
				return nil
			})
		})
	})
}
