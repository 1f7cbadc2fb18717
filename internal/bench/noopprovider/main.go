// Command noopprovider is a calibration for the bench: a provider with
// machineauth's own provider and machineauth_m2m_token schemas that makes no
// API call at all. Its resource fills in the computed attributes with fixed
// values, reads state back unchanged and deletes nothing, so what it costs
// beyond terraform_data is the plugin protocol, the framework and the state
// of a resource of that shape: the floor under the real provider's times.
//
// With MACHINEAUTH_NOOP_SCHEMA=minimal the resource has a computed id and
// nothing else: what the plugin protocol costs alone, so that the bench can
// tell the protocol's share from that of the schema's size.
package main

import (
	"context"
	"log"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/plugintune"
	machineauth "github.com/seed-56a0beb6/terraform-provider-machineauth/internal/provider"
)

func main() {
	// The real provider's process settings, as its main applies them, so
	// that the floor does not carry a cost the real one avoids.
	plugintune.QuietLogsUnlessShown("TF_LOG_PROVIDER_MACHINEAUTH")
	plugintune.TuneGC()

	err := providerserver.Serve(context.Background(), func() provider.Provider { return &noopProvider{real: machineauth.New("noop")()} },
		providerserver.ServeOpts{Address: "registry.terraform.io/seed-56a0beb6/machineauth"})
	if err != nil {
		log.Fatal(err)
	}
}

type noopProvider struct{ real provider.Provider }

func (p *noopProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p *noopProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

func (p *noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &noopToken{real: machineauth.NewM2MTokenResource()} }}
}

func (p *noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type noopToken struct{ real resource.Resource }

var seq atomic.Int64

func (r *noopToken) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *noopToken) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	if os.Getenv("MACHINEAUTH_NOOP_SCHEMA") == "minimal" {
		resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{"id": schema.StringAttribute{Computed: true}}}
		return
	}
	r.real.Schema(ctx, req, resp)
}

// Create fills every unknown value in the plan with a value of its type, of
// the size the real API would give.
func (r *noopToken) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	n := strconv.FormatInt(seq.Add(1), 10)
	v, err := tftypes.Transform(req.Plan.Raw, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "mt_0123456789abcdef0123456789ab"+n), nil
		case v.Type().Is(tftypes.Bool):
			return tftypes.NewValue(tftypes.Bool, false), nil
		case v.Type().Is(tftypes.Set{ElementType: tftypes.String}):
			return tftypes.NewValue(v.Type(), []tftypes.Value{tftypes.NewValue(tftypes.String, "mch_Duw719dumJIYqgbIZUQnVPwn3GU")}), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
	if err != nil {
		resp.Diagnostics.AddError("noop", err.Error())
		return
	}
	resp.State.Raw = v
}

func (r *noopToken) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *noopToken) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (r *noopToken) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
