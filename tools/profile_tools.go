package tools

import (
	"context"

	"github.com/owui-mcp/owui-mcp/owui"
)

// Tools of the "profile" toolset: the signed-in account's own settings.

func updateProfile() def {
	return def{
		op: owui.OpUpdateProfile, toolset: tsProfile, title: "Edit my profile",
		desc:  "Change your profile. " + verified + " Pass only what changes; null clears.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.UpdateProfileForm{}, partial: true, out: &profileResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			// Decode before reading: an argument refused after the read
			// would be reported as "nothing was sent", and a request was.
			patch, err := c.patch()
			if err == nil {
				err = overlay(new(owui.UpdateProfileForm), patch)
			}
			if err != nil {
				return nil, err
			}
			cur, err := c.s.GetSessionUser(ctx)
			if err != nil {
				return nil, err
			}
			if len(patch) == 0 {
				// Nothing changes, so nothing is written; the answer is
				// the profile as stored, which is what the read is for.
				return &profileResult{UserProfileImageResponse: cur.UserProfileImageResponse,
					Bio: cur.Bio, Gender: cur.Gender, DateOfBirth: cur.DateOfBirth}, nil
			}
			// The server writes all five fields, so start from what it holds.
			f := owui.UpdateProfileForm{
				ProfileImageURL: cur.ProfileImageURL, Name: cur.Name,
				Bio: cur.Bio, Gender: cur.Gender, DateOfBirth: cur.DateOfBirth,
			}
			if err := overlay(&f, patch); err != nil {
				return nil, err
			}
			r, err := c.s.UpdateProfile(ctx, f)
			if err != nil {
				return nil, err
			}
			return &profileResult{UserProfileImageResponse: *r, Bio: f.Bio, Gender: f.Gender, DateOfBirth: f.DateOfBirth}, nil
		},
	}
}

func updateTimezone() def {
	return def{
		op: owui.OpUpdateTimezone, toolset: tsProfile, title: "Set my time zone",
		desc:  "Set your time zone. " + signedIn + " Server 0.7.0+.",
		hints: hints{destructive: true, idempotent: true},
		in:    &owui.UpdateTimezoneForm{}, out: &okResult{},
		run: withForm((*owui.Session).UpdateTimezone),
	}
}

func updatePassword() def {
	return def{
		op: owui.OpUpdatePassword, toolset: tsProfile, title: "Change my password",
		desc:  "Change your password, given the current one. Prefer leaving both passwords out: the user then types them on a one-time browser page (the client shows it, or the result gives the link), so they never enter the chat. " + signedIn + " Existing sessions stay valid.",
		hints: hints{destructive: true},
		in:    &owui.UpdatePasswordForm{}, out: &passwordResult{},
		run: func(ctx context.Context, c *call) (any, error) {
			var f owui.UpdatePasswordForm
			if err := c.bind(&f); err != nil {
				return nil, err
			}
			switch {
			case f.Password == "" && f.NewPassword == "":
				return c.viaBrowser(ctx, passwordPage(c))
			case f.Password == "" || f.NewPassword == "":
				return nil, argError{[]string{"give both password and new_password, or neither (preferred: the user then types them on a browser page)"}}
			}
			return c.s.UpdatePassword(ctx, f)
		},
		changesCredential: true,
	}
}
