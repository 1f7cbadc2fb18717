package provider

// Resource identity (Terraform 1.12 and later) of machineauth_connected_app
// and machineauth_m2m_client: the client_id, which is also the import id.

// clientIDIdentity records and reads either client's identity.
var clientIDIdentity = idIdentity{
	attributes: []idAttribute{{
		name: "client_id",
		check: func(id string) string {
			if id == "" {
				return "must be set."
			}
			return ""
		},
	}},
}

// identity is the identity of this kind of client, as its schema and
// import show it.
func (k stytchClientKind) identity() idIdentity {
	i := clientIDIdentity
	i.attributes = []idAttribute{i.attributes[0]}
	i.attributes[0].description = k.identityDoc
	i.missing = "Import " + k.article + " " + k.name + " by its client_id, or by its identity (client_id)."
	return i
}
