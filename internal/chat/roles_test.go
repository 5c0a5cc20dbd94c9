package chat_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func TestRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)
	carol := env.MustUser(t, org, "carol", chat.LevelMember)

	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := env.CreateRole(ctx, bob, chat.RoleInput{Name: "Mine"})
		wantErr(t, "CreateRole(member)", err, chat.Forbidden, "")
	})
	t.Run("ErrEmptyName", func(t *testing.T) {
		_, err := env.CreateRole(ctx, owner, chat.RoleInput{Name: " "})
		wantErr(t, "CreateRole(blank)", err, chat.Invalid, "")
	})

	managers := must[*chat.Role](t)(env.CreateRole(ctx, owner, chat.RoleInput{Name: "Managers", ManageRoles: true}))
	t.Run("AssignedRoleGrantsItsFlags", func(t *testing.T) {
		must[*chat.UserRole](t)(env.AssignRole(ctx, owner, bob.UserID, managers.ID))
		// Bob now manages roles, and assigning twice gives one assignment.
		helpers := must[*chat.Role](t)(env.CreateRole(ctx, bob, chat.RoleInput{Name: "Helpers"}))
		a1 := must[*chat.UserRole](t)(env.AssignRole(ctx, bob, carol.UserID, helpers.ID))
		a2 := must[*chat.UserRole](t)(env.AssignRole(ctx, bob, carol.UserID, helpers.ID))
		if a1.ID != a2.ID {
			t.Errorf("assigning twice made %d and %d", a1.ID, a2.ID)
		}
		if got := must[[]*chat.Role](t)(env.Roles(ctx, carol, carol.UserID)); len(got) != 1 || got[0].ID != helpers.ID {
			t.Errorf("carol's roles = %v", got)
		}
		if got := must[[]*chat.UserRole](t)(env.UserRoles(ctx, carol, 0)); len(got) != 2 {
			t.Errorf("the org's assignments = %v", got)
		}
	})
	t.Run("UpdateRole", func(t *testing.T) {
		r := must[*chat.Role](t)(env.UpdateRole(ctx, owner, managers.ID, chat.RoleInput{Name: "Role managers", ManageRoles: true, ManageUsers: true}))
		if r.Name != "Role managers" || !r.ManageUsers {
			t.Errorf("updated role = %+v", r)
		}
		_, err := env.UpdateRole(ctx, owner, 999999, chat.RoleInput{Name: "x"})
		wantErr(t, "UpdateRole(unknown)", err, chat.NotFound, chat.ReasonRoleNotFound)
	})
	t.Run("DeletedRoleStopsGranting", func(t *testing.T) {
		must[*chat.Role](t)(env.DeleteRole(ctx, owner, managers.ID))
		_, err := env.CreateRole(ctx, bob, chat.RoleInput{Name: "Again"})
		wantErr(t, "CreateRole after the role was deleted", err, chat.Forbidden, "")
		_, err = env.AssignRole(ctx, owner, bob.UserID, managers.ID)
		wantErr(t, "AssignRole(deleted role)", err, chat.NotFound, chat.ReasonRoleNotFound)
		_, err = env.DeleteRole(ctx, owner, managers.ID)
		wantErr(t, "DeleteRole twice", err, chat.NotFound, chat.ReasonRoleNotFound)
	})
	t.Run("Unassign", func(t *testing.T) {
		r := must[*chat.Role](t)(env.CreateRole(ctx, owner, chat.RoleInput{Name: "Admins", Administrator: true}))
		ur := must[*chat.UserRole](t)(env.AssignRole(ctx, owner, carol.UserID, r.ID))
		must[*chat.Role](t)(env.CreateRole(ctx, carol, chat.RoleInput{Name: "By carol"}))
		ended := must[*chat.UserRole](t)(env.UnassignRole(ctx, owner, ur.ID))
		if !ended.Deleted {
			t.Errorf("unassigned = %+v", ended)
		}
		_, err := env.CreateRole(ctx, carol, chat.RoleInput{Name: "Not any more"})
		wantErr(t, "CreateRole after unassigning", err, chat.Forbidden, "")
		_, err = env.UnassignRole(ctx, owner, ur.ID)
		wantErr(t, "UnassignRole twice", err, chat.NotFound, chat.ReasonUserRoleNotFound)
	})
	t.Run("ErrOtherOrg", func(t *testing.T) {
		other, stranger := env.MustOrg(t)
		theirs := must[*chat.Role](t)(env.CreateRole(ctx, stranger, chat.RoleInput{Name: "Theirs", Administrator: true}))
		_, err := env.AssignRole(ctx, owner, bob.UserID, theirs.ID)
		wantErr(t, "AssignRole(other org's role)", err, chat.NotFound, chat.ReasonRoleNotFound)
		_, err = env.AssignRole(ctx, stranger, bob.UserID, theirs.ID)
		wantErr(t, "AssignRole(other org's user)", err, chat.NotFound, chat.ReasonUserNotFound)
		if got := must[[]*chat.Role](t)(env.Roles(ctx, stranger, 0)); len(got) != 1 {
			t.Errorf("org %d sees %d roles", other.ID, len(got))
		}
		if got := must[[]*chat.UserRole](t)(env.UserRoles(ctx, stranger, bob.UserID)); len(got) != 0 {
			t.Errorf("a stranger sees bob's assignments: %v", got)
		}
	})
}

func TestChannelGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)

	if got := must[[]*chat.Channel](t)(env.ReadableChannels(ctx, o.reader)); len(got) != 1 || got[0].ID != o.channel.ID {
		t.Errorf("reader's channels = %v", got)
	}
	if got := must[[]*chat.Channel](t)(env.ReadableChannels(ctx, o.outsider)); len(got) != 0 {
		t.Errorf("outsider's channels = %v", got)
	}
	users := must[[]*chat.User](t)(env.ChannelUsers(ctx, o.reader, o.channel.ID, 0, 10))
	var ids []chat.UserID
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	// The creator is a member; the reader holds the granted role.
	if !slices.Equal(ids, []chat.UserID{o.owner.UserID, o.reader.UserID}) {
		t.Errorf("channel users = %v", ids)
	}
	if page := must[[]*chat.User](t)(env.ChannelUsers(ctx, o.reader, o.channel.ID, 1, 1)); len(page) != 1 || page[0].ID != o.reader.UserID {
		t.Errorf("second page of channel users = %v", page)
	}
	_, err := env.ChannelUsers(ctx, o.outsider, o.channel.ID, 0, 10)
	wantErr(t, "ChannelUsers(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
	_, err = env.ChannelRoles(ctx, o.reader, 0)
	wantErr(t, "ChannelRoles(reader)", err, chat.Forbidden, "")
	_, err = env.GrantChannel(ctx, o.owner, o.channel.ID, 999999)
	wantErr(t, "GrantChannel(unknown role)", err, chat.NotFound, chat.ReasonRoleNotFound)
	_, err = env.GrantChannel(ctx, o.owner, 999999, o.readers.ID)
	wantErr(t, "GrantChannel(unknown channel)", err, chat.NotFound, chat.ReasonChannelNotFound)

	before := must[*chat.ChannelRole](t)(env.RevokeChannelGrant(ctx, o.owner, o.channelAccess))
	if before.Deleted || before.ID != o.channelAccess {
		t.Errorf("RevokeChannelGrant returned %+v, want the grant as it was", before)
	}
	if got := must[[]*chat.Channel](t)(env.ReadableChannels(ctx, o.reader)); len(got) != 0 {
		t.Errorf("reader still reads %v after the grant ended", got)
	}
	_, err = env.RevokeChannelGrant(ctx, o.owner, o.channelAccess)
	wantErr(t, "RevokeChannelGrant twice", err, chat.NotFound, chat.ReasonChannelRoleNotFound)
	other, stranger := env.MustOrg(t)
	_, err = env.GrantChannel(ctx, stranger, o.channel.ID, o.readers.ID)
	wantErr(t, "GrantChannel(other org's channel)", err, chat.NotFound, chat.ReasonChannelNotFound)
	if got := must[[]*chat.ChannelRole](t)(env.ChannelRoles(ctx, stranger, 0)); len(got) != 0 {
		t.Errorf("org %d sees grants %v", other.ID, got)
	}
}
