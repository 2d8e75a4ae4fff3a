package schema_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schema"
)

type args struct {
	Email string  `json:"email" jsonschema:"required,format=email" jsonschema_description:"Email."`
	Day   *string `json:"day" jsonschema:"nullable,format=date" jsonschema_description:"Day."`
	Role  string  `json:"role,omitempty" jsonschema:"enum=a,enum=b" jsonschema_description:"Role."`
	Count any     `json:"count" jsonschema:"oneof_type=integer;string;null" jsonschema_description:"Count."`
	Dur   string  `json:"dur" jsonschema:"pattern=^[0-9]+[smh]$" jsonschema_description:"Duration."`
	Name  string  `json:"name" jsonschema:"minLength=1" jsonschema_description:"Name."`
	Flag  bool    `json:"flag" jsonschema_description:"Flag."`
	Inner struct {
		X int `json:"x"`
	} `json:"inner" jsonschema_description:"Nested."`
}

func TestInputShape(t *testing.T) {
	m := schema.Map(schema.Input(&args{}))
	if m["type"] != "object" || m["additionalProperties"] != false {
		t.Fatalf("root %v", m)
	}
	for _, k := range []string{"$schema", "$id", "$defs", "$ref", "definitions"} {
		if _, ok := m[k]; ok {
			t.Errorf("root has %s", k)
		}
	}
	if !reflect.DeepEqual(m["required"], []any{"email"}) {
		t.Errorf("required %v", m["required"])
	}
	props := m["properties"].(map[string]any)
	day := props["day"].(map[string]any)
	if !reflect.DeepEqual(day["type"], []any{"string", "null"}) || day["format"] != "date" || day["description"] != "Day." {
		t.Errorf("nullable date %v", day)
	}
	if !reflect.DeepEqual(props["count"].(map[string]any)["type"], []any{"integer", "string", "null"}) {
		t.Errorf("union %v", props["count"])
	}
	if inner := props["inner"].(map[string]any); inner["type"] != "object" || inner["properties"] == nil {
		t.Errorf("nested struct not inlined: %v", inner)
	}
	if strings.Contains(string(schema.Input(&args{})), "$ref") {
		t.Error("a $ref survived")
	}
}

func TestEmptyInputHasProperties(t *testing.T) {
	if got := string(schema.Input(&struct{}{})); got != `{"additionalProperties":false,"properties":{},"type":"object"}` {
		t.Errorf("got %s", got)
	}
}

func TestPartialAndOutput(t *testing.T) {
	if _, ok := schema.Map(schema.Input(&args{}, schema.Partial()))["required"]; ok {
		t.Error("Partial kept required")
	}
	out := schema.Map(schema.Output(&owui.SessionUserInfoResponse{}))
	if out["type"] != "object" || out["additionalProperties"] != nil || out["required"] != nil {
		t.Errorf("output root %v", out)
	}
	props := out["properties"].(map[string]any)
	for _, k := range []string{"id", "email", "role", "token", "expires_at", "permissions", "bio", "date_of_birth", "status_expires_at"} {
		if _, ok := props[k]; !ok {
			t.Errorf("output lacks %s", k)
		}
	}
	if strings.Contains(string(schema.Output(&owui.AdminConfig{})), "description") {
		t.Error("output schema carries descriptions")
	}
}

func TestSchemasFollowTheWireNames(t *testing.T) {
	// Every JSON name the client sends is a property of the derived schema.
	for _, v := range []any{&owui.AdminConfig{}, &owui.LdapServerConfig{}, &owui.OAuthConfig{}, &owui.UpdateProfileForm{}, &owui.AddUserForm{}} {
		b, _ := json.Marshal(v)
		var wire map[string]any
		_ = json.Unmarshal(b, &wire)
		props := schema.Map(schema.Input(v))["properties"].(map[string]any)
		for k := range wire {
			p, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%T: %s missing from schema", v, k)
				continue
			}
			if d, _ := p["description"].(string); d == "" {
				t.Errorf("%T: %s has no description", v, k)
			}
		}
	}
	admin := schema.Map(schema.Input(&owui.AdminConfig{}))
	if n := len(admin["properties"].(map[string]any)); n != 28 {
		t.Errorf("AdminConfig has %d properties, want 28", n)
	}
	if n := len(admin["required"].([]any)); n != 20 {
		t.Errorf("AdminConfig requires %d keys, want 20", n)
	}
	if n := len(schema.Map(schema.Input(&owui.LdapServerConfig{}))["properties"].(map[string]any)); n != 16 {
		t.Errorf("LdapServerConfig has %d properties, want 16", n)
	}
}
