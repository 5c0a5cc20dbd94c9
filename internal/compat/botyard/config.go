package botyard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Config is Botyard's configuration file (botyard.config.json): the
// "service" section shown by GET /v1/client-api/service-info and the
// "limits" section. Other top-level sections are ignored, so the file can be
// shared with the rest of Parley (PARLEY_CONFIG).
type Config struct {
	Service ServiceInfo `json:"service"`
	Limits  Limits      `json:"limits"`
}

// ServiceInfo describes the service to clients, verbatim.
type ServiceInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Avatar      string   `json:"avatar,omitempty"`
	Socials     []Social `json:"socials"`
}

// Social is a link shown with the service.
type Social struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Limits are Botyard's limits; zero or missing ones take Botyard's defaults.
type Limits struct {
	User struct {
		MinNicknameLength int `json:"minNicknameLength"`
		MaxNicknameLength int `json:"maxNicknameLength"`
		// AuthTokenLifetime is in minutes.
		AuthTokenLifetime int `json:"authTokenLifetime"`
	} `json:"user"`
	Message struct {
		MaxBodyLength    int `json:"maxBodyLength"`
		MaxAttachedFiles int `json:"maxAttachedFiles"`
	} `json:"message"`
	File struct {
		MaxImageSize int64 `json:"maxImageSize"`
		MaxAudioSize int64 `json:"maxAudioSize"`
		MaxVideoSize int64 `json:"maxVideoSize"`
		MaxFileSize  int64 `json:"maxFileSize"`
	} `json:"file"`
}

// DefaultConfig is the configuration without a file.
func DefaultConfig() Config {
	return Config{Service: ServiceInfo{Name: "Parley", Description: "Chat with bots.", Socials: []Social{}}}
}

// ChatLimits returns the limits as the chat rules take them, defaults
// filled in.
func (c Config) ChatLimits() chat.BotLimits {
	l := c.Limits
	return chat.BotLimits{
		MinNicknameLen: l.User.MinNicknameLength, MaxNicknameLen: l.User.MaxNicknameLength,
		TokenTTL:   time.Duration(l.User.AuthTokenLifetime) * time.Minute,
		MaxBodyLen: l.Message.MaxBodyLength, MaxAttachedFiles: l.Message.MaxAttachedFiles,
		MaxImageSize: l.File.MaxImageSize, MaxAudioSize: l.File.MaxAudioSize, MaxVideoSize: l.File.MaxVideoSize, MaxFileSize: l.File.MaxFileSize,
	}.WithDefaults()
}

// LoadConfig reads the configuration file at path; an empty path gives
// DefaultConfig. A service section that is absent keeps the default one.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read config file: %w", err)
	}
	return ParseConfig(b)
}

// ParseConfig parses a configuration file's contents.
func ParseConfig(b []byte) (Config, error) {
	var raw struct {
		Service *ServiceInfo `json:"service"`
		Limits  *Limits      `json:"limits"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Config{}, fmt.Errorf("parse config file: %w (at byte %d)", err, syn.Offset)
		}
		return Config{}, fmt.Errorf("parse config file: %w", err)
	}
	c := DefaultConfig()
	if raw.Service != nil {
		c.Service = *raw.Service
		if c.Service.Socials == nil {
			c.Service.Socials = []Social{}
		}
	}
	if raw.Limits != nil {
		c.Limits = *raw.Limits
	}
	// Render the limits in force, defaults included, as Botyard's loader did.
	l := c.ChatLimits()
	c.Limits.User.MinNicknameLength, c.Limits.User.MaxNicknameLength = l.MinNicknameLen, l.MaxNicknameLen
	c.Limits.User.AuthTokenLifetime = int(l.TokenTTL / time.Minute)
	c.Limits.Message.MaxBodyLength, c.Limits.Message.MaxAttachedFiles = l.MaxBodyLen, l.MaxAttachedFiles
	c.Limits.File.MaxImageSize, c.Limits.File.MaxAudioSize, c.Limits.File.MaxVideoSize, c.Limits.File.MaxFileSize =
		l.MaxImageSize, l.MaxAudioSize, l.MaxVideoSize, l.MaxFileSize
	return c, nil
}
