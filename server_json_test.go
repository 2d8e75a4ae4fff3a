package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// server.json is owui-mcp's entry in the official MCP registry. These tests
// hold it to the registry's published schema (kept in testdata/registry, see
// the README there) and to what the program actually reads.

const sjSchemaFile = "testdata/registry/server.schema.json"

type sjInput struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	IsRequired bool   `json:"isRequired"`
	IsSecret   bool   `json:"isSecret"`
}

type sjPackage struct {
	RegistryType string `json:"registryType"`
	Identifier   string `json:"identifier"`
	Version      string `json:"version"`
	Transport    struct {
		Type    string    `json:"type"`
		URL     string    `json:"url"`
		Headers []sjInput `json:"headers"`
	} `json:"transport"`
	PackageArguments []sjInput `json:"packageArguments"`
	Env              []sjInput `json:"environmentVariables"`
}

type sjServer struct {
	Schema   string      `json:"$schema"`
	Name     string      `json:"name"`
	Version  string      `json:"version"`
	Packages []sjPackage `json:"packages"`
}

func sjRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sjLoad(t *testing.T) sjServer {
	t.Helper()
	var s sjServer
	dec := json.NewDecoder(bytes.NewReader(sjRead(t, "server.json")))
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("server.json: %v", err)
	}
	if len(s.Packages) == 0 {
		t.Fatal("server.json declares no packages")
	}
	return s
}

// sjCompile compiles the registry's schema, with formats asserted.
func sjCompile(t *testing.T) (*jsonschema.Schema, string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sjRead(t, sjSchemaFile)))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	if id == "" {
		t.Fatalf("%s has no $id", sjSchemaFile)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch, id
}

func TestServerJSONMatchesRegistrySchema(t *testing.T) {
	sch, id := sjCompile(t)
	raw := sjRead(t, "server.json")
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("server.json does not validate against %s:\n%v", sjSchemaFile, err)
	}
	if s := sjLoad(t); s.Schema != id {
		t.Errorf("server.json $schema = %q, but the schema kept as test data is %q: update one or the other", s.Schema, id)
	}

	// The schema really is applied: entries the registry refuses fail here.
	for name, mutate := range map[string]func(m map[string]any){
		"name without a namespace": func(m map[string]any) { m["name"] = "owui-mcp" },
		"description over 100":     func(m map[string]any) { m["description"] = strings.Repeat("x", 101) },
		"no version":               func(m map[string]any) { delete(m, "version") },
		"package without transport": func(m map[string]any) {
			delete(m["packages"].([]any)[0].(map[string]any), "transport")
		},
	} {
		bad, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		mutate(bad.(map[string]any))
		if sch.Validate(bad) == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// sjProgramSource returns the program's own (non-test) Go files at the
// repository root, where it reads its environment (getenv("OWUI_X")), defines
// its flags and names the headers it reads.
// sjProgramSource is the non-test source of the command and of the
// hosting package, which between them read every setting and header.
func sjProgramSource(t *testing.T) string {
	t.Helper()
	var files []string
	for _, dir := range []string{".", "hosting"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	var src strings.Builder
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			src.Write(sjRead(t, f))
		}
	}
	return src.String()
}

func TestServerJSONEnvironmentIsWhatTheProgramReads(t *testing.T) {
	s := sjLoad(t)
	src := sjProgramSource(t)
	readme := string(sjRead(t, "README.md"))
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(\s*"(OWUI_[A-Z0-9_]+)"`).FindAllStringSubmatch(src, -1) {
		read[m[1]] = true
	}
	if len(read) < 5 {
		t.Fatalf("found only %d environment variables read in the program's sources: %v", len(read), read)
	}
	// Read only from the environment and never to be shown: the clients that
	// install from the registry must store and mask them.
	secrets := []string{"OWUI_API_KEY", "OWUI_MCP_AUTH_TOKEN"}
	declared := map[string]bool{}
	ref := regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

	for _, p := range s.Packages {
		where := p.RegistryType + " " + p.Identifier + " (" + p.Transport.Type + ")"
		env := map[string]sjInput{}
		for _, e := range p.Env {
			if _, dup := env[e.Name]; dup {
				t.Errorf("%s: %s declared twice", where, e.Name)
			}
			env[e.Name] = e
			declared[e.Name] = true
			if !read[e.Name] {
				t.Errorf("%s: server.json declares %s, which the program does not read", where, e.Name)
			}
			if !strings.Contains(readme, "`"+e.Name+"`") {
				t.Errorf("%s: %s is not documented in README.md", where, e.Name)
			}
			if secret := slices.Contains(secrets, e.Name); e.IsSecret != secret {
				t.Errorf("%s: %s has isSecret %v, want %v", where, e.Name, e.IsSecret, secret)
			}
		}
		if e, ok := env["OWUI_SERVER"]; !ok || !e.IsRequired {
			t.Errorf("%s: OWUI_SERVER must be declared and required (its default is this machine's loopback)", where)
		}
		if p.Transport.Type != "stdio" {
			if e, ok := env["OWUI_MCP_AUTH_TOKEN"]; !ok || !e.IsRequired {
				t.Errorf("%s: a hosted transport must require OWUI_MCP_AUTH_TOKEN", where)
			}
		}
		// Headers: names the program reads; {VAR} references to this
		// package's variables; a header that carries a secret is secret.
		for _, h := range p.Transport.Headers {
			if h.Name != "Authorization" && !strings.Contains(src, `"`+h.Name+`"`) {
				t.Errorf("%s: header %s is not one the program reads", where, h.Name)
			}
			for _, m := range ref.FindAllStringSubmatch(h.Value, -1) {
				if _, ok := env[m[1]]; !ok {
					t.Errorf("%s: header %s refers to {%s}, which the package does not declare", where, h.Name, m[1])
				}
				if slices.Contains(secrets, m[1]) && !h.IsSecret {
					t.Errorf("%s: header %s carries %s but is not marked isSecret", where, h.Name, m[1])
				}
			}
		}
		for _, a := range p.PackageArguments {
			flag := strings.TrimLeft(a.Name, "-")
			if !strings.Contains(src, `"`+flag+`"`) {
				t.Errorf("%s: package argument %s is not a flag of the program", where, a.Name)
			}
		}
	}
	for _, name := range secrets {
		if !declared[name] {
			t.Errorf("server.json declares %s in no package", name)
		}
	}
}

func TestServerJSONPackagesAreThisRelease(t *testing.T) {
	s := sjLoad(t)
	module := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(sjRead(t, "go.mod")), "\n", 2)[0], "module"))
	owner := strings.Split(strings.TrimPrefix(module, "github.com/"), "/")[0]
	// The registry's io.github.<owner> namespace is proven by GitHub login as
	// <owner>, and a Go package must live under github.com/<owner>.
	if want := "io.github." + owner + "/"; !strings.HasPrefix(s.Name, want) {
		t.Errorf("name %q: want the namespace %s of module %s", s.Name, want, module)
	}
	const image = "ghcr.io/owui-mcp/owui-mcp"
	for _, p := range s.Packages {
		switch p.RegistryType {
		case "oci":
			if want := image + ":" + s.Version; p.Identifier != want {
				t.Errorf("oci package %q: want %q (the image of this version)", p.Identifier, want)
			}
		case "go":
			if p.Identifier != module || p.Version != "v"+s.Version {
				t.Errorf("go package %s@%s: want %s@v%s", p.Identifier, p.Version, module, s.Version)
			}
		default:
			t.Errorf("package type %q: no release makes one", p.RegistryType)
		}
	}
	// The registry checks that an OCI image carries this label with the name.
	label := "io.modelcontextprotocol.server.name"
	for _, f := range []string{"Dockerfile", "Dockerfile.release"} {
		if !strings.Contains(string(sjRead(t, f)), label+`="`+s.Name+`"`) {
			t.Errorf("%s: no LABEL %s=%q", f, label, s.Name)
		}
	}
	gr := string(sjRead(t, ".goreleaser.yaml"))
	if !strings.Contains(gr, label+": "+s.Name) || !strings.Contains(gr, "- "+image+"\n") {
		t.Errorf(".goreleaser.yaml: the release image must be %s, labelled %s: %s", image, label, s.Name)
	}
}
