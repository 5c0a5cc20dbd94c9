package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// secrets are the generated secrets kept in the data directory.
type secrets struct {
	ClientSecret string `json:"client_secret"`
	JWTSecret    string `json:"jwt_secret"`
}

// loadSecrets fills the secrets the environment did not give from
// <dataDir>/secrets.json, generating and saving (mode 0600) those missing
// there too. A newly generated client secret is printed once to out, since
// the operator needs it to provision orgs.
func loadSecrets(c *Config, out io.Writer) error {
	if c.ClientSecret != "" && c.JWTSecret != "" {
		return nil
	}
	path := filepath.Join(c.DataDir, "secrets.json")
	var s secrets
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read secrets: %w", err)
	}
	changed := false
	if s.ClientSecret == "" {
		s.ClientSecret, changed = rand.Text()+rand.Text(), true
		if c.ClientSecret == "" {
			fmt.Fprintf(out, "parley: generated the client secret (kept in %s; shown only now):\n\n    CLIENT_SECRET=%s\n\n", path, s.ClientSecret)
		}
	}
	if s.JWTSecret == "" {
		s.JWTSecret, changed = rand.Text()+rand.Text()+rand.Text(), true
	}
	if changed {
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(s, "", "  ")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("save secrets: %w", err)
		}
	}
	if c.ClientSecret == "" {
		c.ClientSecret = s.ClientSecret
	}
	if c.JWTSecret == "" {
		c.JWTSecret = s.JWTSecret
	}
	return nil
}
