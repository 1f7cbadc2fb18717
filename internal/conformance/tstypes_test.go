package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The official Node client's answers are plain JSON objects, so "decoding
// into the official types" means what a TypeScript program relies on: the
// answer has the shape of the type the client's own declarations (the
// package's types/lib/**/*.d.ts) give for the method's Promise. tsTypes
// reads those declarations (interfaces, type aliases, classes, imports)
// and checks a value against a type: every required member present and of
// its type, recursively. Members a declaration does not list are allowed,
// as TypeScript's structural types allow them; an optional member (name?:)
// may be absent, and may be null too, since the client's own documentation
// pages "until next_cursor is null" where the declaration says
// next_cursor?: string. What the reader does not understand (generics other
// than Promise, Array and Record, tuples, function types) accepts anything.

type tsTypes struct {
	root string // the package's types/lib directory

	mu    sync.Mutex
	files map[string]*tsFile
	// unresolved are the type names no declaration defined, for the
	// test's log.
	unresolved map[string]bool
}

type tsFile struct {
	path    string
	imports map[string]tsRef // local name to the file and name it imports
	// decls are interfaces, type aliases and classes by name. An
	// interface and a class may share a name (ConnectedApp is both).
	decls map[string][]*tsDecl
}

type tsRef struct{ file, name string }

type tsDecl struct {
	kind    string // "interface", "type" or "class"
	extends []string
	body    string // an interface's or class's members; an alias's type
}

func newTSTypes(packageDir string) *tsTypes {
	return &tsTypes{root: filepath.Join(packageDir, "types", "lib"), files: map[string]*tsFile{}}
}

// returnType resolves method, such as "m2m.clients.create", from the class
// exported by clientFile (relative to types/lib, e.g. "b2b/client") and
// returns the type its Promise resolves to, with the file it is written in.
func (ts *tsTypes) returnType(clientFile, class, method string) (*tsFile, string, error) {
	f, err := ts.file(filepath.Join(ts.root, clientFile+".d.ts"))
	if err != nil {
		return nil, "", err
	}
	names := strings.Split(method, ".")
	for i, name := range names {
		decl, df, err := ts.resolve(f, class, true)
		if err != nil {
			return nil, "", err
		}
		members := tsMembers(decl.body)
		if i < len(names)-1 {
			prop, ok := members[name]
			if !ok || prop.method {
				return nil, "", fmt.Errorf("class %s has no property %s", class, name)
			}
			f, class = df, prop.typ
			continue
		}
		m, ok := members[name]
		if !ok || !m.method {
			return nil, "", fmt.Errorf("class %s has no method %s", class, name)
		}
		return df, unwrap(m.typ, "Promise"), nil
	}
	return nil, "", fmt.Errorf("empty method name")
}

// check reports where value departs from typ, read in file f; none when it
// fits.
func (ts *tsTypes) check(f *tsFile, typ string, value any) []string {
	var out []string
	ts.visit(f, typ, value, "answer", &out, 0)
	return out
}

func (ts *tsTypes) visit(f *tsFile, typ string, v any, at string, out *[]string, depth int) {
	if depth > 40 {
		return // a recursive type: enough has been checked
	}
	if bad := ts.mismatch(f, typ, v, at, depth); bad != nil {
		*out = append(*out, bad...)
	}
}

// mismatch returns the findings of v against typ; nil when v fits.
func (ts *tsTypes) mismatch(f *tsFile, typ string, v any, at string, depth int) []string {
	typ = strings.TrimSpace(typ)
	for strings.HasPrefix(typ, "(") && matching(typ, 0) == len(typ)-1 {
		typ = strings.TrimSpace(typ[1 : len(typ)-1])
	}
	if alts := splitTop(typ, '|'); len(alts) > 1 {
		for _, alt := range alts {
			if ts.mismatch(f, alt, v, at, depth+1) == nil {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: %s fits none of %s", at, describeJSON(v), typ)}
	}
	if parts := splitTop(typ, '&'); len(parts) > 1 {
		var bad []string
		for _, p := range parts {
			bad = append(bad, ts.mismatch(f, p, v, at, depth+1)...)
		}
		return bad
	}
	wrong := func() []string { return []string{fmt.Sprintf("%s: %s, want %s", at, describeJSON(v), typ)} }
	switch {
	case typ == "any" || typ == "unknown" || typ == "Date":
		return nil
	case typ == "string":
		if _, ok := v.(string); !ok {
			return wrong()
		}
		return nil
	case typ == "number":
		if _, ok := v.(float64); !ok {
			return wrong()
		}
		return nil
	case typ == "boolean" || typ == "true" || typ == "false":
		b, ok := v.(bool)
		if !ok || (typ != "boolean" && strconv.FormatBool(b) != typ) {
			return wrong()
		}
		return nil
	case typ == "null":
		if v != nil {
			return wrong()
		}
		return nil
	case typ == "undefined" || typ == "void":
		return nil
	case typ == "object" || strings.HasPrefix(typ, "Record<"):
		m, ok := v.(map[string]any)
		if !ok {
			return wrong()
		}
		if strings.HasPrefix(typ, "Record<") {
			args := splitTop(typ[len("Record<"):len(typ)-1], ',')
			if len(args) == 2 {
				var bad []string
				for k, item := range m {
					bad = append(bad, ts.mismatch(f, args[1], item, at+"."+k, depth+1)...)
				}
				return bad
			}
		}
		return nil
	case strings.HasPrefix(typ, `"`) || strings.HasPrefix(typ, `'`):
		if s, ok := v.(string); !ok || s != strings.Trim(typ, `"'`) {
			return wrong()
		}
		return nil
	case strings.HasSuffix(typ, "[]"):
		return ts.array(f, typ[:len(typ)-2], v, at, depth)
	case strings.HasPrefix(typ, "Array<") && strings.HasSuffix(typ, ">"):
		return ts.array(f, typ[len("Array<"):len(typ)-1], v, at, depth)
	case strings.HasPrefix(typ, "{"):
		return ts.object(f, typ[1:len(typ)-1], v, at, depth)
	}
	if n, err := strconv.ParseFloat(typ, 64); err == nil {
		if x, ok := v.(float64); !ok || x != n {
			return wrong()
		}
		return nil
	}
	if !tsName.MatchString(typ) {
		return nil // a generic, tuple or function type: not checked
	}
	decl, df, err := ts.resolve(f, typ, false)
	if err != nil {
		// A name the declarations do not define (an enum, a generic
		// parameter) accepts anything, but must not hide a type that
		// should have been found: the cases' own types all resolve.
		ts.noteUnresolved(typ)
		return nil
	}
	switch decl.kind {
	case "type":
		return ts.mismatch(df, decl.body, v, at, depth+1)
	case "interface":
		var bad []string
		for _, parent := range decl.extends {
			bad = append(bad, ts.mismatch(df, parent, v, at, depth+1)...)
		}
		return append(bad, ts.object(df, decl.body, v, at, depth)...)
	}
	return nil
}

var tsName = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)

func (ts *tsTypes) array(f *tsFile, elem string, v any, at string, depth int) []string {
	items, ok := v.([]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %s, want %s[]", at, describeJSON(v), elem)}
	}
	var bad []string
	for i, item := range items {
		bad = append(bad, ts.mismatch(f, elem, item, fmt.Sprintf("%s[%d]", at, i), depth+1)...)
	}
	return bad
}

func (ts *tsTypes) object(f *tsFile, body string, v any, at string, depth int) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: %s, want an object", at, describeJSON(v))}
	}
	var bad []string
	members := tsMembers(body)
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		mem := members[name]
		if mem.method {
			continue
		}
		val, present := m[name]
		switch {
		case !present && mem.optional:
		case !present:
			bad = append(bad, fmt.Sprintf("%s.%s: missing, want %s", at, name, mem.typ))
		case val == nil && mem.optional:
		default:
			bad = append(bad, ts.mismatch(f, mem.typ, val, at+"."+name, depth+1)...)
		}
	}
	return bad
}

// resolve finds a declaration by name, a class or else an interface or
// type alias: in f itself, else where f imports it from.
func (ts *tsTypes) resolve(f *tsFile, name string, class bool) (*tsDecl, *tsFile, error) {
	if d := pick(f.decls[name], class); d != nil {
		return d, f, nil
	}
	ref, ok := f.imports[name]
	if !ok {
		return nil, nil, fmt.Errorf("%s: %s is not declared or imported", f.path, name)
	}
	g, err := ts.file(ref.file)
	if err != nil {
		return nil, nil, err
	}
	if d := pick(g.decls[ref.name], class); d != nil {
		return d, g, nil
	}
	if _, ok := g.imports[ref.name]; ok { // re-exported
		return ts.resolve(g, ref.name, class)
	}
	return nil, nil, fmt.Errorf("%s does not declare %s", g.path, ref.name)
}

func pick(decls []*tsDecl, class bool) *tsDecl {
	for _, d := range decls {
		if (d.kind == "class") == class {
			return d
		}
	}
	return nil
}

func (ts *tsTypes) noteUnresolved(name string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.unresolved == nil {
		ts.unresolved = map[string]bool{}
	}
	ts.unresolved[name] = true
}

func (ts *tsTypes) file(path string) (*tsFile, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if f, ok := ts.files[path]; ok {
		return f, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := parseTSFile(path, stripComments(string(raw)))
	ts.files[path] = f
	return f, nil
}

var (
	tsImport = regexp.MustCompile(`import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*"([^"]+)"`)
	tsDeclRe = regexp.MustCompile(`(?m)^\s*(?:export\s+)?(?:declare\s+)?(interface|class|type)\s+([A-Za-z_$][\w$]*)(?:<[^>{=]*>)?\s*(?:extends\s+([^{=]+?))?\s*([{=])`)
)

func parseTSFile(path, src string) *tsFile {
	f := &tsFile{path: path, imports: map[string]tsRef{}, decls: map[string][]*tsDecl{}}
	for _, m := range tsImport.FindAllStringSubmatch(src, -1) {
		target := filepath.Join(filepath.Dir(path), m[2]+".d.ts")
		if _, err := os.Stat(target); err != nil {
			target = filepath.Join(filepath.Dir(path), m[2], "index.d.ts")
		}
		for _, item := range strings.Split(m[1], ",") {
			fields := strings.Fields(item)
			switch {
			case len(fields) == 1:
				f.imports[fields[0]] = tsRef{target, fields[0]}
			case len(fields) == 3 && fields[1] == "as":
				f.imports[fields[2]] = tsRef{target, fields[0]}
			}
		}
	}
	for _, loc := range tsDeclRe.FindAllStringSubmatchIndex(src, -1) {
		kind, name := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		d := &tsDecl{kind: kind}
		if loc[6] >= 0 {
			for _, p := range splitTop(src[loc[6]:loc[7]], ',') {
				d.extends = append(d.extends, strings.TrimSpace(p))
			}
		}
		open := loc[8]
		if src[open] == '{' {
			end := matching(src, open)
			if end < 0 {
				continue
			}
			d.body = src[open+1 : end]
		} else {
			end := open + 1 + indexTop(src[open+1:], ';')
			d.body = strings.TrimSpace(src[open+1 : end])
		}
		if kind == "class" {
			d.extends = nil // a class's parents (BaseClient) add nothing checked here
		}
		f.decls[name] = append(f.decls[name], d)
	}
	return f
}

type tsMember struct {
	typ              string
	optional, method bool
}

var tsMemberRe = regexp.MustCompile(`^(?:(?:private|protected|public|readonly|static)\s+)*(?:"([^"]+)"|'([^']+)'|([A-Za-z_$][\w$]*))(\?)?\s*([:(])`)

// tsMembers reads the members of an interface, class or object type: for
// a property its type, for a method its return type.
func tsMembers(body string) map[string]tsMember {
	out := map[string]tsMember{}
	for _, part := range splitTop(body, ';', ',') {
		part = strings.TrimSpace(part)
		m := tsMemberRe.FindStringSubmatchIndex(part)
		if m == nil {
			continue
		}
		name := ""
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				name = part[m[2*g]:m[2*g+1]]
			}
		}
		mem := tsMember{optional: m[8] >= 0}
		if part[m[10]] == '(' {
			end := matching(part, m[10])
			if end < 0 {
				continue
			}
			rest := strings.TrimSpace(part[end+1:])
			mem.method, mem.typ = true, strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		} else {
			mem.typ = strings.TrimSpace(part[m[11]:])
		}
		out[name] = mem
	}
	return out
}

func unwrap(typ, generic string) string {
	typ = strings.TrimSpace(typ)
	if strings.HasPrefix(typ, generic+"<") && strings.HasSuffix(typ, ">") {
		return typ[len(generic)+1 : len(typ)-1]
	}
	return typ
}

// stripComments drops /* */ and // comments outside string literals.
func stripComments(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(src[i:min(j+1, len(src))])
			i = j
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += end + 3
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				return b.String()
			}
			i += end - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitTop splits s at the separators that are outside brackets and
// string literals.
func splitTop(s string, seps ...byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			for i++; i < len(s) && s[i] != c; i++ {
			}
		case c == '(' || c == '{' || c == '[' || c == '<':
			depth++
		case c == ')' || c == '}' || c == ']' || (c == '>' && (i == 0 || s[i-1] != '=')):
			depth--
		case depth == 0 && slices.Contains(seps, c):
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	var kept []string
	for _, p := range out {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return kept
}

// indexTop is the index of the first sep outside brackets and string
// literals, or len(s).
func indexTop(s string, sep byte) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			for i++; i < len(s) && s[i] != c; i++ {
			}
		case c == '(' || c == '{' || c == '[' || c == '<':
			depth++
		case c == ')' || c == '}' || c == ']' || (c == '>' && (i == 0 || s[i-1] != '=')):
			depth--
		case depth == 0 && c == sep:
			return i
		}
	}
	return len(s)
}

// matching returns the index of the bracket closing the one at open, or -1.
func matching(s string, open int) int {
	pairs := map[byte]byte{'(': ')', '{': '}', '[': ']', '<': '>'}
	want, depth := pairs[s[open]], 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
			}
		case s[open]:
			depth++
		case want:
			if want == '>' && i > 0 && s[i-1] == '=' {
				continue
			}
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func describeJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(raw) > 80 {
		return string(raw[:77]) + "..."
	}
	return string(raw)
}
