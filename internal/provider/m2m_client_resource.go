package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*m2mClientResource)(nil)
	_ resource.ResourceWithImportState = (*m2mClientResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*m2mClientResource)(nil)
	_ resource.ResourceWithIdentity    = (*m2mClientResource)(nil)
)

// NewM2MClientResource is the machineauth_m2m_client resource.
func NewM2MClientResource() resource.Resource { return &m2mClientResource{} }

type m2mClientResource struct {
	data *providerData
}

type m2mClientModel struct {
	stytchClientIDs
	m2mClientFields
	clientSecretModel
}

func (r *m2mClientResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_m2m_client"
}

const m2mClientCreateDoc = "**Lost answers.** The provider makes the `client_id` (in the shape Stytch gives them, `m2m-client-test-<uuid>` " +
	"or `m2m-client-live-<uuid>`) and the secret (256 random bits) itself, and sends both with the create, as Stytch allows. " +
	"So a create whose answer is lost is resolved exactly: the provider reads the client by that id, and finds the one its request made, " +
	"with a secret it already holds, or none, and then creates again (up to three requests). If even that read fails, the client is saved " +
	"in the state as tainted, so the next apply deletes it (a delete of a client that was never made counts as done) and creates anew: " +
	"no client is ever left that Terraform does not track, and no client of another run is ever touched."

func (r *m2mClientResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	const inPlace = " Changed in place."
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{MarkdownDescription: "The client's id, its `client_id`.", Computed: true, PlanModifiers: keep},
		"client_id": schema.StringAttribute{
			MarkdownDescription: "The client's OAuth `client_id`, made by the provider at create (see **Lost answers**).",
			Computed:            true,
			PlanModifiers:       keep,
		},
		"client_name":        schema.StringAttribute{MarkdownDescription: m2mClientFieldDocs["client_name"] + " Unset: none." + inPlace, Optional: true, Validators: nonEmpty},
		"client_description": schema.StringAttribute{MarkdownDescription: m2mClientFieldDocs["client_description"] + " Unset: none." + inPlace, Optional: true, Validators: nonEmpty},
		"scopes": schema.SetAttribute{
			MarkdownDescription: m2mClientFieldDocs["scopes"] + inPlace,
			ElementType:         types.StringType,
			Required:            true,
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringCheck{description: "a scope token", check: checkScope}),
			},
		},
		"trusted_metadata": schema.StringAttribute{
			MarkdownDescription: m2mClientFieldDocs["trusted_metadata"] + " Unset: none." + inPlace,
			Optional:            true,
			Validators:          []validator.String{jsonObjectValidator},
			PlanModifiers:       []planmodifier.String{sameJSONKeepsState{}},
		},
		"status": schema.StringAttribute{
			MarkdownDescription: m2mClientFieldDocs["status"] + " Default `active`." + inPlace +
				" Stytch has no revoke for M2M access tokens: `inactive`, or a secret rotation, is how to stop a client.",
			Optional:   true,
			Computed:   true,
			Default:    stringdefault.StaticString(m2mStatusActive),
			Validators: []validator.String{stringvalidator.OneOf(m2mStatusActive, m2mStatusInactive)},
		},
	}
	maps.Copy(attrs, clientSecretAttributes("The client secret, set at create."))
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Stytch M2M client: a machine's OAuth client with its scopes and secret, which trades them for access tokens " +
			"with the client_credentials grant (see the `machineauth_m2m_client_token` ephemeral resource).\n\n" +
			"**Updates** are in place, `status` included: `status = \"inactive\"` is the kill switch, and every update sends every field, " +
			"so that none is reset, should Stytch reset what an update leaves out (see " + assumptionsGuide + ", `m2m_client_update_omitted`).\n\n" +
			clientSecretDoc("machineauth_m2m_client.example") + "\n\n" +
			"**Destroy** deletes the client. Deleting a client does not end the access tokens it was issued: they stay valid until they expire, " +
			"within the hour. Deleting a client that is already gone counts as done.\n\n" +
			"**Drift.** A client deleted outside Terraform is removed from state at the next refresh, with a warning, and made anew by the next apply, " +
			"however Stytch says it is not found: 404 or 400 with an `error_type` of `not_found` or ending in `_not_found` " +
			"(`stytch_not_found_shape`). Any other refusal is an error, never taken for a client that is gone.\n\n" + m2mClientCreateDoc + "\n\n" +
			"**Import** by `client_id`. Stytch never shows a secret again, so `client_secret` stays null until a rotation: change " +
			"`secret_rotation_triggers` after the import to get a secret Terraform knows.",
		Attributes: attrs,
	}
}

func (r *m2mClientResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = m2mClientKind.identity().schema()
}

func (r *m2mClientResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *m2mClientResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	planClientRotation[m2mClientModel](ctx, req, resp, nil)
	if !resp.Diagnostics.HasError() {
		planReactivation(ctx, req, resp)
	}
}

// planReactivation plans client_secret as unknown when the plan turns an
// inactive client back on, unless a rotation step already changes it.
// Terraform opens ephemeral resources during the plan, and Stytch refuses
// an inactive client a token: a machineauth_m2m_client_token fed from this
// client's client_secret would be opened, and refused, before the apply
// reactivates the client. With the secret unknown Terraform opens it only
// during the apply, after this update, when the client is active again.
// The apply records the same secret as before.
func planReactivation(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var was, status, stateSecret, planSecret types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &was)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("status"), &status)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("client_secret"), &stateSecret)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("client_secret"), &planSecret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if was.ValueString() != m2mStatusInactive || status.IsUnknown() || status.ValueString() != m2mStatusActive || !planSecret.Equal(stateSecret) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringUnknown())...)
}

func (r *m2mClientResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m m2mClientModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	fields := m.update(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id, secret, made := createM2MClient(ctx, r.data.client, fields, &resp.Diagnostics)
	if id == "" {
		return
	}
	m.ID, m.ClientID = types.StringValue(id), types.StringValue(id)
	m.madeWith(secret, lastFourOf(secret))
	if made && fields.Status != m2mStatusActive && !resp.Diagnostics.HasError() {
		// Stytch creates clients active.
		if _, err := r.data.client.UpdateM2MClient(ctx, id, fields); err != nil {
			addClientError(&resp.Diagnostics, "Created M2M client "+id+" but could not make it inactive; the next apply replaces it", err)
			m.Status = types.StringValue(m2mStatusActive)
		}
	}
	// Saved even with an error (tainted), so the client is never left
	// untracked: the next apply deletes and makes it anew.
	saveClient(ctx, &resp.State, resp.Identity, resp.Private, &m, true, &resp.Diagnostics)
}

// createM2MClient creates a client with an id and secret of its own making,
// as m2mClientCreateDoc says. It returns the id and secret whenever a
// client may exist (made says it is known to), "" when none can.
func createM2MClient(ctx context.Context, c *client.Client, f client.UpdateM2MClientRequest, diags *diag.Diagnostics) (id, secret string, made bool) {
	var err error
	if id, err = newM2MClientID(c.StytchProjectID()); err == nil {
		secret, err = newClientSecret()
	}
	if err != nil {
		diags.AddError("Unable to create the M2M client", err.Error())
		return "", "", false
	}
	req := client.CreateM2MClientRequest{
		ClientID: id, ClientSecret: secret, ClientName: f.ClientName, ClientDescription: f.ClientDescription,
		Scopes: f.Scopes, TrustedMetadata: f.TrustedMetadata,
	}
	var lost error
	for range createAttempts {
		_, err := c.CreateM2MClient(ctx, req)
		if err == nil {
			return id, secret, true
		}
		if lost == nil && !client.IsAmbiguous(err) {
			addClientError(diags, "Unable to create the M2M client", err)
			return "", "", false
		}
		if client.IsAmbiguous(err) {
			lost = err
		}
		// A lost answer, or a refusal after one (the id now taken): look.
		// The read outlives an interrupt, as every lost-answer search does.
		sctx, cancel := detachedSearch(ctx)
		got, gerr := c.GetM2MClient(sctx, id)
		cancel()
		switch {
		case gerr == nil && got.ClientSecretLastFour == lastFourOf(secret):
			return id, secret, true
		case gerr == nil:
			diags.AddError("Unable to create the M2M client", fmt.Sprintf("Client %s exists with a secret Terraform did not make; it is saved as tainted, so the next apply deletes it.", id))
			return id, secret, false
		case !stytchClientGone(gerr):
			addClientError(diags, "An M2M client may have been made by a create whose answer was lost: "+id+" is saved as tainted, so the next apply deletes it", gerr)
			return id, secret, false
		}
		if ctx.Err() != nil {
			break
		}
	}
	diags.AddError("Unable to create the M2M client",
		fmt.Sprintf("%d create request(s) got no answer, and no client %s exists. Last failure: %s", createAttempts, id, client.Redact(fmt.Sprint(lost))))
	return "", "", false
}

func (r *m2mClientResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readClient(ctx, req, resp, m2mClientKind, r.data.client.GetM2MClient, func(m *m2mClientModel, c *client.M2MClient) secretStatus {
		m.set(ctx, c, &resp.Diagnostics)
		return m2mSecretStatus(c)
	}, r.data.client.StytchNow)
}

func (r *m2mClientResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateClient(ctx, req, resp, (*m2mClientModel).update, r.data.client.UpdateM2MClient, m2mClientRotator{r.data.client}, r.data.client.StytchNow)
}

func (r *m2mClientResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteClient(ctx, req, resp, m2mClientKind, r.data.client.DeleteM2MClient)
}

func (r *m2mClientResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importClient(ctx, req, resp, m2mClientKind, checkClientID)
}

// The machineauth_m2m_client list resource (Terraform 1.14 and later,
// `terraform query`): the project's M2M clients, so those made outside
// Terraform can be found and imported.

var _ list.ListResourceWithConfigure = (*m2mClientListResource)(nil)

// NewM2MClientListResource is the machineauth_m2m_client list resource.
func NewM2MClientListResource() list.ListResource {
	return &m2mClientListResource{listResults[m2mClientListModel, client.M2MClient, m2mClientModel]{
		typeName: "_m2m_client",
		fetch:    listM2MClients,
		name:     m2mClientDisplayName,
		identity: func(c client.M2MClient) any { return clientIDIdentity.of(types.StringValue(c.ClientID)) },
		resource: listedM2MClient,
	}}
}

type m2mClientListResource struct {
	listResults[m2mClientListModel, client.M2MClient, m2mClientModel]
}

type m2mClientListModel struct {
	ClientName types.String `tfsdk:"client_name"`
	Scope      types.String `tfsdk:"scope"`
}

func (l *m2mClientListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the project's Stytch M2M clients, oldest first, for `terraform query` (Terraform 1.14 and later): each as " +
			"its identity (`client_id`) and, with `include_resource = true`, as a `machineauth_m2m_client` whose secrets are null, since " +
			"Stytch shows a secret only when it issues it. `terraform query -generate-config-out=clients.tf` writes a resource and an " +
			"import block for each. Stytch's search filters, so only matching clients are fetched, a thousand a request.",
		Attributes: map[string]listschema.Attribute{
			"client_name": listschema.StringAttribute{MarkdownDescription: "List only clients of exactly this name. Unset: any.", Optional: true},
			"scope": listschema.StringAttribute{
				MarkdownDescription: "List only clients that may ask for this scope. Unset: any.",
				Optional:            true,
			},
		},
	}
}

// listM2MClients fetches the clients the filters match, page by page, in
// the search's order.
func listM2MClients(ctx context.Context, data *providerData, cfg m2mClientListModel) ([]client.M2MClient, diag.Diagnostics) {
	search := client.M2MSearchRequest{Limit: searchPageSize}
	var operands []client.M2MSearchOperand
	if !cfg.ClientName.IsNull() {
		operands = append(operands, client.M2MSearchOperand{FilterName: "client_name", FilterValue: cfg.ClientName.ValueString()})
	}
	if !cfg.Scope.IsNull() {
		operands = append(operands, client.M2MSearchOperand{FilterName: "scopes", FilterValue: []string{cfg.Scope.ValueString()}})
	}
	if len(operands) > 0 {
		search.Query = &client.M2MSearchQuery{Operator: "AND", Operands: operands}
	}
	var clients []client.M2MClient
	for {
		page, err := data.client.SearchM2MClients(ctx, search)
		if err != nil {
			var diags diag.Diagnostics
			addClientError(&diags, "Unable to list the project's M2M clients", err)
			return nil, diags
		}
		clients = append(clients, page.M2MClients...)
		if next := page.ResultsMetadata.NextCursor; next == nil || *next == "" || len(page.M2MClients) == 0 {
			break
		}
		search.Cursor = *page.ResultsMetadata.NextCursor
	}
	return clients, nil
}

func m2mClientDisplayName(c client.M2MClient) string {
	if c.ClientName == "" {
		return c.ClientID
	}
	return c.ClientName + " (" + c.ClientID + ", " + c.Status + ")"
}

// listedM2MClient is the state an import of c would reach after its first
// refresh.
func listedM2MClient(ctx context.Context, c client.M2MClient, diags *diag.Diagnostics) m2mClientModel {
	var m m2mClientModel
	m.set(ctx, &c, diags)
	m.ID, m.ClientID = types.StringValue(c.ClientID), types.StringValue(c.ClientID)
	m.clientSecretModel = listedClientSecret(c.ClientSecretLastFour)
	return m
}
