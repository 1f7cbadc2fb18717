package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/memo"
)

// What the machineauth_machine resource, data source, list resource and
// ephemeral secret key share: the limits of a Clerk machine, the words
// that describe it, and one read of each machine per run; and the data
// source and the ephemeral secret key themselves, below.

const (
	// defaultMachineTokenTTL is Clerk's default_token_ttl.
	defaultMachineTokenTTL = 3600
	// maxPreviousKeyTTL is Clerk's limit on previous_token_ttl: eight hours.
	maxPreviousKeyTTL = 28800
	// defaultPreviousKeyTTL is how long a rotated-out key keeps working
	// unless configured: an hour, long enough for consumers that pick up
	// the new key on their next deploy.
	defaultPreviousKeyTTL = 3600
	// machineListPageSize is Clerk's largest page of machines.
	machineListPageSize = 500
)

var (
	machineNameValidators     = []validator.String{stringvalidator.UTF8LengthBetween(1, 255)}
	defaultTokenTTLValidators = []validator.Int64{int64validator.Between(1, maxTokenLifetime)}

	descMachineID     = "Clerk's id of the machine (`mch_` and 27 letters, digits or underscores). Not a secret."
	descMachineName   = "The machine's name, 1 to 255 characters. Clerk does not require names to be unique."
	descTokenTTL      = "Lifetime in seconds of the tokens the machine issues without `seconds_until_expiration`, from 1 to 315360000 (ten years)."
	descScopedMachine = "Ids (`mch_...`) of the machines this machine may call: its tokens carry them in `scopes`. " +
		"Granted with `machineauth_machine_scope`, so that two machines can scope each other."
	descMachineCreatedAt = "When Clerk created the machine, RFC 3339."
)

// machineState is what Clerk reports about a machine, as every machine
// schema shows it.
type machineState struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	DefaultTokenTTL types.Int64  `tfsdk:"default_token_ttl"`
	ScopedMachines  types.Set    `tfsdk:"scoped_machines"`
	CreatedAt       types.String `tfsdk:"created_at"`
}

func (s *machineState) set(ctx context.Context, m client.Machine, diags *diag.Diagnostics) {
	s.ID = types.StringValue(m.ID)
	s.Name = types.StringValue(m.Name)
	s.DefaultTokenTTL = types.Int64Value(m.DefaultTokenTTL)
	s.ScopedMachines = scopedMachineIDs(ctx, m, diags)
	s.CreatedAt = types.StringValue(m.Created().Format(time.RFC3339))
}

// scopedMachineIDs is a machine's scopes as a set of ids, never null.
func scopedMachineIDs(ctx context.Context, m client.Machine, diags *diag.Diagnostics) types.Set {
	ids := make([]string, 0, len(m.ScopedMachines))
	for _, sc := range m.ScopedMachines {
		ids = append(ids, sc.ID)
	}
	v, d := types.SetValueFrom(ctx, types.StringType, ids)
	diags.Append(d...)
	return v
}

// machineStore shares one read of each machine among every resource of a
// run that needs it: the machine itself and each scope it grants, which
// Clerk reports only as part of the machine. Writes keep it current.
type machineStore struct {
	client *client.Client
	keys   clerkKeys
	reads  memo.Group[string, machineRead]
}

// machineRead is one GET of a machine: gone when Clerk answered 404.
type machineRead struct {
	machine client.Machine
	gone    bool
}

func newMachineStore(c *client.Client, keys clerkKeys) *machineStore {
	return &machineStore{client: c, keys: keys}
}

// get reads a machine once per run.
func (s *machineStore) get(ctx context.Context, id string) (machineRead, error) {
	if _, err := s.keys.managing(); err != nil {
		return machineRead{}, err
	}
	return s.reads.Get(ctx, id, func(ctx context.Context) (machineRead, error) {
		m, err := s.client.GetMachine(ctx, id)
		if client.IsNotFound(err) {
			return machineRead{gone: true}, nil
		}
		if err != nil {
			return machineRead{}, err
		}
		return machineRead{machine: *m}, nil
	})
}

// record replaces what later readers see of a machine with what a write
// answered.
func (s *machineStore) record(m client.Machine) {
	m.ScopedMachines = slices.Clone(m.ScopedMachines)
	s.reads.Update(m.ID, func(machineRead) machineRead { return machineRead{machine: m} })
}

// recordGone marks a machine deleted for later readers.
func (s *machineStore) recordGone(id string) {
	s.reads.Update(id, func(machineRead) machineRead { return machineRead{gone: true} })
}

// recordScope adds or removes a scope in what later readers see.
func (s *machineStore) recordScope(from, to string, present bool) {
	s.reads.Update(from, func(r machineRead) machineRead {
		if r.gone {
			return r
		}
		scoped := slices.DeleteFunc(slices.Clone(r.machine.ScopedMachines), func(m client.Machine) bool { return m.ID == to })
		if present {
			scoped = append(scoped, client.Machine{ID: to})
		}
		r.machine.ScopedMachines = scoped
		return r
	})
}

// scopes reports whether a read machine lists to among its scoped machines.
func (r machineRead) scopes(to string) bool {
	return slices.ContainsFunc(r.machine.ScopedMachines, func(m client.Machine) bool { return m.ID == to })
}

// NewMachineDataSource is the machineauth_machine data source.
func NewMachineDataSource() datasource.DataSource {
	return &dataSource[machineState]{
		name: "_machine", schema: machineDataSourceSchema, read: readMachine,
		validators: []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))},
	}
}

func machineDataSourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Looks up a Clerk machine by `id` or by exact `name` (give exactly one), for a machine made in the dashboard or by another configuration: " +
			"its id for a `machineauth_m2m_token`'s `machine_id` or a `machineauth_machine_scope`. It holds no secret: read the machine's key with the " +
			"`machineauth_machine_secret_key` ephemeral resource. Needs the provider's `clerk.secret_key`. " +
			"By id: one call. By name: Clerk's machine listing searched for the name (500 a page), and an error unless exactly one machine has that very name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: descMachineID + " Give it, or `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          machineIDValidators,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: descMachineName + " Give it, or `id`: exactly one machine must have this name, compared exactly (case included).",
				Optional:            true,
				Computed:            true,
				Validators:          machineNameValidators,
			},
			"default_token_ttl": schema.Int64Attribute{MarkdownDescription: descTokenTTL, Computed: true},
			"scoped_machines":   schema.SetAttribute{MarkdownDescription: descScopedMachine, ElementType: types.StringType, Computed: true},
			"created_at":        schema.StringAttribute{MarkdownDescription: descMachineCreatedAt, Computed: true},
		},
	}
}

func readMachine(ctx context.Context, data *providerData, m *machineState, diags *diag.Diagnostics) {
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(diags, "Looking up a Clerk machine", err)
		return
	}
	var found client.Machine
	if id := m.ID.ValueString(); id != "" {
		got, err := data.machines.get(ctx, id)
		switch {
		case err != nil:
			addClientError(diags, "Unable to read machine "+id, err)
			return
		case got.gone:
			diags.AddAttributeError(path.Root("id"), "Machine not found", "Clerk has no machine "+id+".")
			return
		}
		found = got.machine
	} else {
		name := m.Name.ValueString()
		all, err := data.machines.listAll(ctx, name)
		if err != nil {
			addClientError(diags, fmt.Sprintf("Unable to list the machines named %q", name), err)
			return
		}
		var named []client.Machine
		for _, c := range all {
			if c.Name == name {
				named = append(named, c)
			}
		}
		switch len(named) {
		case 1:
			found = named[0]
		case 0:
			diags.AddAttributeError(path.Root("name"), "Machine not found", fmt.Sprintf("No Clerk machine is named %q (names are compared exactly).", name))
			return
		default:
			ids := make([]string, len(named))
			for i, c := range named {
				ids[i] = c.ID
			}
			diags.AddAttributeError(path.Root("name"), "More than one machine has this name",
				fmt.Sprintf("%d Clerk machines are named %q: %s. Look the machine up by id instead.", len(named), name, strings.Join(ids, ", ")))
			return
		}
	}
	m.set(ctx, found, diags)
}

// NewMachineSecretKeyEphemeralResource is machineauth_machine_secret_key.
func NewMachineSecretKeyEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[machineSecretKeyModel]{name: "_machine_secret_key", schema: machineSecretKeySchema, open: openMachineSecretKey}
}

type machineSecretKeyModel struct {
	MachineID types.String `tfsdk:"machine_id"`
	SecretKey types.String `tfsdk:"secret_key"`
}

func machineSecretKeySchema() ephemeralschema.Schema {
	return ephemeralschema.Schema{
		MarkdownDescription: "A Clerk machine's current secret key (`ak_...`) for one Terraform run, never stored in state or plan files: " +
			"for a write-only argument such as a secret manager's `*_wo` value, or a `machineauth_m2m_token`'s `machine_secret_key_wo`. " +
			"Needs Terraform 1.10 or later and the provider's `clerk.secret_key`. One call (`GET /machines/{id}/secret_key`) each time Terraform opens it, " +
			"in `plan` as in `apply`. After a rotation it reads the new key; nothing is revoked when it closes.",
		Attributes: map[string]ephemeralschema.Attribute{
			"machine_id": ephemeralschema.StringAttribute{
				MarkdownDescription: "The machine (`mch_...`), e.g. `machineauth_machine.x.id` or `data.machineauth_machine.x.id`.",
				Required:            true,
				Validators:          machineIDValidators,
			},
			"secret_key": ephemeralschema.StringAttribute{
				MarkdownDescription: "The machine's current secret key. Sensitive.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func openMachineSecretKey(ctx context.Context, data *providerData, m *machineSecretKeyModel, private privateStateWriter, diags *diag.Diagnostics) {
	id := m.MachineID.ValueString()
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(diags, "Reading the secret key of machine "+id, err)
		return
	}
	key, err := data.client.GetMachineSecretKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		diags.AddAttributeError(path.Root("machine_id"), "Machine not found", "Clerk has no machine "+id+".")
		return
	case err != nil:
		addClientError(diags, "Unable to read the secret key of machine "+id, err)
		return
	}
	m.SecretKey = types.StringValue(key)
}
