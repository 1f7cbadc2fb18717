package provider

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package is flat, and kept in layers by file name alone.
//
// A credential type's own files are those its prefix names (see
// fileOwner). Every other file is shared: credential_*.go (the policy every
// credential type follows: lost answers, listings, claims, lifetimes,
// imports, revocation), framework_*.go (glue that names no credential
// type), clerk_*.go and stytch_*.go (one service's keys, ids and rules),
// config_*.go, diagnostics.go and expiry_warnings.go; provider.go and
// provider_data.go are registration, which wires every type in.
//
// The rule: an identifier declared in one type's files is used by no other
// type's files, and by no shared file but registration. So what several
// types need lives in a shared file, and a new type plugs into those
// instead of reaching into the last type's.
//
// Tests follow the rule for what they declare: a helper in one type's test
// file serves that type's tests alone (helpers_test.go holds the others),
// while shared test files, tables over every type, may use any type's test
// helpers. Any test may use any production identifier: a machine's test
// issues tokens.

// credentialTypes are the file-name prefixes of the credential types.
var credentialTypes = []string{
	"api_key",
	"connected_app",
	"connected_app_authorization",
	"m2m_client",
	"m2m_token",
	"machine",
	"machine_scope",
	"oauth_application",
	"stytch_client",
	"token_verification",
}

// credentialFamilies are prefixes whose files several types share: a
// family's files are their own to each member, and to no other type.
var credentialFamilies = map[string][]string{
	// Both Stytch clients: a client_id, a secret and its two-phase rotation.
	"stytch_client": {"connected_app", "m2m_client"},
	// A scope is part of its machine: Clerk reports scopes only in the
	// machine's read, which machine.go's store shares. The machine's files
	// are the scope's too, not the other way round.
	"machine": {"machine_scope"},
}

// registration is the shared files that wire every type in.
var registration = map[string]bool{"provider.go": true, "provider_data.go": true}

// fileOwner is the credential type whose own file name is, or "" for a
// shared file: the longest prefix that names it, as "<prefix>.go" or
// "<prefix>_....go", so machine_scope_resource.go is machine_scope's, not
// machine's. Test files belong where the files they test do.
func fileOwner(name string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".go"), "_test")
	owner := ""
	for _, p := range credentialTypes {
		if (base == p || strings.HasPrefix(base, p+"_")) && len(p) > len(owner) {
			owner = p
		}
	}
	return owner
}

// mayUse reports whether file may use an identifier declared in decl.
func mayUse(file, decl string) bool {
	user, owner := fileOwner(file), fileOwner(decl)
	isTest := strings.HasSuffix(file, "_test.go")
	switch {
	case owner == "" || user == owner || registration[file]:
		return true
	case isTest && (user == "" || !strings.HasSuffix(decl, "_test.go")):
		return true
	}
	return slices.Contains(credentialFamilies[owner], user)
}

// crossing is one use of a type's identifier where the rule forbids it.
type crossing struct {
	name, declaredIn, usedIn string
}

// typeCrossings parses the package in dir and lists each package-level
// identifier (function, type, variable or constant; a method is reached
// through its type) declared in one type's files and used where mayUse
// forbids, once per file. Uses within a file are resolved by the parser:
// an identifier it leaves unresolved names something declared in another
// file, a builtin or an import.
func typeCrossings(dir string) ([]crossing, error) {
	fset := gotoken.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	files := map[string]*ast.File{}
	declaredIn := map[string]string{}
	for _, path := range paths {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(path)
		files[name] = f
		for _, d := range f.Decls {
			for _, id := range declaredNames(d) {
				declaredIn[id] = name
			}
		}
	}
	var out []crossing
	for name, f := range files {
		seen := map[string]bool{}
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				// x.Sel: Sel is x's field or method, or an import's
				// identifier; only x can name this package's.
				ast.Inspect(n.X, visit)
				return false
			case *ast.Ident:
				if n.Obj != nil || seen[n.Name] {
					return true
				}
				if decl, ok := declaredIn[n.Name]; ok && decl != name && !mayUse(name, decl) {
					seen[n.Name] = true
					out = append(out, crossing{name: n.Name, declaredIn: decl, usedIn: name})
				}
			}
			return true
		}
		ast.Inspect(f, visit)
	}
	slices.SortFunc(out, func(a, b crossing) int {
		return strings.Compare(a.name+" "+a.usedIn, b.name+" "+b.usedIn)
	})
	return out, nil
}

// declaredNames are the package-level names a declaration introduces.
func declaredNames(d ast.Decl) []string {
	var out []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		// init is no identifier: no code can name it, and any number of
		// files may declare one.
		if d.Recv == nil && d.Name.Name != "init" {
			out = append(out, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				out = append(out, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}

func crossingErrors(t *testing.T, crossings []crossing) {
	t.Helper()
	for _, c := range crossings {
		user := fileOwner(c.usedIn)
		if user == "" {
			user = "a shared file"
		} else {
			user += "'s file"
		}
		t.Errorf("%s is declared in %s, %s's own file, and used in %s, %s: move it to a shared file (credential_*.go, framework_*.go, ...)",
			c.name, c.declaredIn, fileOwner(c.declaredIn), c.usedIn, user)
	}
}

// TestTypeFilesKeepTheirIdentifiers holds this package to its layers.
func TestTypeFilesKeepTheirIdentifiers(t *testing.T) {
	t.Parallel()
	crossings, err := typeCrossings(".")
	if err != nil {
		t.Fatal(err)
	}
	crossingErrors(t, crossings)
}

// TestTypeCrossingsNameBothFiles checks the check: a shared rule moved back
// into the first type's file is found, and named with both files.
func TestTypeCrossingsNameBothFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"m2m_token_create.go":       "package p\n\nconst createAttempts = 3\n\nfunc issue() int { return createAttempts }\n",
		"api_key_create.go":         "package p\n\nfunc makeKey() int { return createAttempts + local() }\n",
		"api_key_store.go":          "package p\n\nfunc local() int { return 1 }\n",
		"framework_action.go":       "package p\n\nfunc run() int { return local() }\n",
		"stytch_client_lookup.go":   "package p\n\nfunc gone() bool { return true }\n",
		"m2m_client_resource.go":    "package p\n\nfunc read() bool { return gone() }\n",
		"provider_data.go":          "package p\n\nfunc wire() int { return local() }\n",
		"m2m_token_helpers_test.go": "package p\n\nfunc captureID() int { return 1 }\n",
		"machine_test.go":           "package p\n\nfunc use() int { return captureID() + issue() }\n",
		"shared_table_test.go":      "package p\n\nfunc table() int { return captureID() }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := typeCrossings(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []crossing{
		{name: "captureID", declaredIn: "m2m_token_helpers_test.go", usedIn: "machine_test.go"},
		{name: "createAttempts", declaredIn: "m2m_token_create.go", usedIn: "api_key_create.go"},
		{name: "local", declaredIn: "api_key_store.go", usedIn: "framework_action.go"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("crossings = %+v\nwant %+v", got, want)
	}
}

// TestFileOwner pins which type a file belongs to.
func TestFileOwner(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"m2m_token.go":                                 "m2m_token",
		"m2m_token_resource_test.go":                   "m2m_token",
		"machine_scope_resource.go":                    "machine_scope",
		"machine_resource.go":                          "machine",
		"machine.go":                                   "machine",
		"machines.go":                                  "",
		"connected_app_authorization_grantor.go":       "connected_app_authorization",
		"connected_app_resource.go":                    "connected_app",
		"stytch_client_secret.go":                      "stytch_client",
		"stytch_ids.go":                                "",
		"credential_lost_answer.go":                    "",
		"framework_list_resource.go":                   "",
		"api_key_revoke_action.go":                     "api_key",
		"token_verification_m2m_client.go":             "token_verification",
		"connected_app_authorization_recovery_test.go": "connected_app_authorization",
		"helpers_test.go":                              "",
	} {
		if got := fileOwner(name); got != want {
			t.Errorf("fileOwner(%q) = %q, want %q", name, got, want)
		}
	}
}
