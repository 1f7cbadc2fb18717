package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*machineScopeResource)(nil)
	_ resource.ResourceWithImportState    = (*machineScopeResource)(nil)
	_ resource.ResourceWithValidateConfig = (*machineScopeResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*machineScopeResource)(nil)
	_ resource.ResourceWithIdentity       = (*machineScopeResource)(nil)
)

// NewMachineScopeResource is the machineauth_machine_scope resource.
func NewMachineScopeResource() resource.Resource { return &machineScopeResource{} }

type machineScopeResource struct {
	data *providerData
}

type machineScopeModel struct {
	ID              types.String `tfsdk:"id"`
	MachineID       types.String `tfsdk:"machine_id"`
	ScopedMachineID types.String `tfsdk:"scoped_machine_id"`
}

func (r *machineScopeResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_machine_scope"
}

func (r *machineScopeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lets one Clerk machine call another: the M2M tokens `machine_id` issues afterwards carry `scoped_machine_id` in their `scopes`, " +
			"and `scoped_machine_id`'s key can verify them. A resource of its own, rather than an argument of `machineauth_machine`, " +
			"so that two machines can scope each other in one configuration without a dependency cycle. " +
			"Tokens copy their scopes when issued: a token issued before the scope exists does not gain it " +
			"(use `depends_on` on the token). Needs the provider's `clerk.secret_key`.\n\n" +
			"**Refresh.** No call of its own: it reads `machine_id`'s scoped machines from the one read of that machine per run that its " +
			"`machineauth_machine` makes too. A scope removed outside Terraform, or of a machine that is gone, is removed from state with a warning and granted again by the next apply.\n\n" +
			"**Create.** The machine is read first: a scope that already exists, granted outside Terraform, is refused (import it instead). " +
			"Granting it again after a lost answer gets Clerk's 409, which then means the lost request granted it, since it did not exist before. " +
			"**Delete.** One call; a scope already gone counts as deleted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`machine_id` and `scoped_machine_id` joined with `/`, the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine granted access (`mch_...`), e.g. `machineauth_machine.caller.id`. Changing it replaces the scope.",
				Required:            true,
				Validators:          machineIDValidators,
				PlanModifiers:       replace,
			},
			"scoped_machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine it may call (`mch_...`); not `machine_id` itself. Changing it replaces the scope.",
				Required:            true,
				Validators:          machineIDValidators,
				PlanModifiers:       replace,
			},
		},
	}
}

func (r *machineScopeResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *machineScopeResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m machineScopeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.MachineID.IsNull() || m.MachineID.IsUnknown() || m.ScopedMachineID.IsUnknown() {
		return
	}
	if m.MachineID.Equal(m.ScopedMachineID) {
		resp.Diagnostics.AddAttributeError(path.Root("scoped_machine_id"), "Invalid scoped_machine_id",
			fmt.Sprintf("scoped_machine_id is machine_id (%s): a machine cannot scope itself. Name the other machine it should call.", m.MachineID.ValueString()))
	}
}

func (r *machineScopeResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if _, err := r.data.machines.keys.managing(); err != nil {
		addClientError(&resp.Diagnostics, "Managing a Clerk machine scope", err)
	}
}

func (r *machineScopeResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m machineScopeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	from, to := m.MachineID.ValueString(), m.ScopedMachineID.ValueString()
	what := fmt.Sprintf("Unable to let machine %s call machine %s", from, to)
	// Whether it exists before any write is what tells a 409 after a lost
	// answer (this create granted it) from a scope granted elsewhere.
	before, err := r.data.client.GetMachine(ctx, from)
	if err != nil {
		addClientError(&resp.Diagnostics, what, err)
		return
	}
	if (machineRead{machine: *before}).scopes(to) {
		resp.Diagnostics.AddError(what, fmt.Sprintf("Machine %s already scopes machine %s, granted outside Terraform: import it with the id %s/%s.", from, to, from, to))
		return
	}
	if err := r.data.machines.grant(ctx, from, to); err != nil {
		addClientError(&resp.Diagnostics, what, err)
		return
	}
	m.ID = types.StringValue(from + "/" + to)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	machineScopeIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.MachineID, m.ScopedMachineID)
}

// grant creates a scope known not to exist. A 409 after a lost answer
// means the lost request granted it; a 409 to the first request, that
// someone else did in the meantime.
func (s *machineStore) grant(ctx context.Context, from, to string) error {
	var lost error
	for attempt := range createAttempts {
		_, err := s.client.CreateMachineScope(ctx, from, to)
		switch {
		case err == nil, attempt > 0 && client.IsConflict(err):
			s.recordScope(from, to, true)
			return nil
		case !client.IsAmbiguous(err):
			return err
		}
		lost = err
		if ctx.Err() != nil {
			break
		}
	}
	// Every answer lost: the machine says whether any request took.
	got, err := s.client.GetMachine(ctx, from)
	if err == nil && (machineRead{machine: *got}).scopes(to) {
		s.recordScope(from, to, true)
		return nil
	}
	return lost
}

func (r *machineScopeResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m machineScopeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	from, to := m.MachineID.ValueString(), m.ScopedMachineID.ValueString()
	machineScopeIdentity.set(ctx, resp.Identity, &resp.Diagnostics, m.MachineID, m.ScopedMachineID)
	got, err := r.data.machines.get(ctx, from)
	if err != nil {
		addClientError(&resp.Diagnostics, "Unable to read the scopes of machine "+from, err)
		return
	}
	gone := func(why string) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("Scope of machine %s to machine %s is gone: removing it from state", from, to),
			why+" The next plan grants it again.")
		resp.State.RemoveResource(ctx)
	}
	switch {
	case got.gone:
		gone(fmt.Sprintf("Clerk has no machine %s any more.", from))
	case !got.scopes(to):
		gone(fmt.Sprintf("Machine %s no longer lists machine %s among its scoped machines: the scope was removed outside Terraform, or machine %s was deleted.", from, to, to))
	default:
		m.ID = types.StringValue(from + "/" + to)
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// Update is never called: both arguments replace the scope.
func (r *machineScopeResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m machineScopeModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *machineScopeResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m machineScopeModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	from, to := m.MachineID.ValueString(), m.ScopedMachineID.ValueString()
	err := r.data.client.DeleteMachineScope(ctx, from, to)
	if err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, fmt.Sprintf("Unable to remove machine %s's access to machine %s", from, to), err)
		return
	}
	r.data.machines.recordScope(from, to, false)
}

func (r *machineScopeResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" {
		if id = machineScopeIdentity.importID(ctx, req.Identity, &resp.Diagnostics); resp.Diagnostics.HasError() {
			return
		}
	}
	from, to, problem := parseMachineScopeID(id)
	if problem != "" {
		resp.Diagnostics.AddError("Invalid import id", "Expected "+machineScopeImportIDForm+": "+problem)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("machine_id"), from)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("scoped_machine_id"), to)...)
	machineScopeIdentity.set(ctx, resp.Identity, &resp.Diagnostics, types.StringValue(from), types.StringValue(to))
}
