// Package provider implements the machineauth Terraform provider.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = (*machineauthProvider)(nil)

type machineauthProvider struct {
	version string
}

// New returns a factory for the provider at a given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &machineauthProvider{version: version} }
}

func (p *machineauthProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "machineauth"
	resp.Version = p.version
}

func (p *machineauthProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (p *machineauthProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *machineauthProvider) Resources(_ context.Context) []func() resource.Resource { return nil }

func (p *machineauthProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
