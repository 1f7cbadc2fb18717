package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// A machine's create marker makes the recovery from a lost create answer
// exact. Clerk takes no idempotency key and no metadata on a machine, but
// it lists machines by a part of their name: so every request of one
// create names the machine "<name> machineauth-create-<32 random hex
// digits>", and once the machine is made it is renamed to <name>. After a
// lost answer, listing the machines whose name holds that marker finds
// exactly what this create made (128 random bits: no other create
// anywhere shares it), and nothing else is ever touched.
const machineCreateMarkerPrefix = nameCreateMarkerPrefix

// machineCreateDoc explains the recovery in the resource's documentation.
const machineCreateDoc = "**Lost answers.** Clerk may create a machine whose create answer is lost (a dropped connection, a timeout, a 5xx), " +
	"and the machine's key is then lost with it. So the provider creates each machine under a temporary name, " +
	"the configured `name` followed by `" + machineCreateMarkerPrefix + "` and 32 random hex digits (the name is cut short to keep within 255 characters), " +
	"and renames it to `name` once it has its answer: for a moment the temporary name shows in the Clerk dashboard. " +
	"After a lost answer it lists the machines whose name holds that random value (`GET /machines?query=...`) before trying again: " +
	"it adopts the one a lost request made (reading its secret key with `GET /machines/{id}/secret_key`) rather than making another, " +
	"deletes any further one, and warns naming them. Only machines carrying this create's own random value are adopted or deleted: " +
	"never a machine of another run or made outside Terraform, whatever its name. At most three create requests are sent. " +
	"A search or delete that fails on a 429, a 5xx or the network is run again (three rounds, each with the usual retries); " +
	"if it still fails, the apply fails with an error naming the machines found, and an interrupted create (Ctrl-C) still runs the search before the provider returns. " +
	"If the rename fails, the machine is kept in state with the error, so the next apply replaces it: no machine is left that Terraform does not track."

// createMachine makes one machine named name, recovering from lost
// answers as machineCreateDoc describes. It returns nil after adding an
// error to diags; otherwise the machine, and whether it was renamed to
// name (if not, diags holds an error, and the caller keeps the machine in
// state with it so that Terraform still tracks it).
func (s *machineStore) createMachine(ctx context.Context, name string, ttl int64, diags *diag.Diagnostics) (made *client.MachineWithSecret, renamed bool) {
	marker, err := newCreateMarker()
	if err != nil {
		diags.AddError("Unable to create the machine", err.Error())
		return nil, false
	}
	marked := markedMachineName(name, marker)
	made, lost, failed := sendCreate(ctx, func(ctx context.Context) (*client.MachineWithSecret, error) {
		return s.client.CreateMachine(ctx, client.CreateMachineRequest{Name: marked, DefaultTokenTTL: &ttl})
	}, func() bool {
		// Look before sending another: the lost request may have made it.
		found, err := s.findMarked(ctx, marker)
		return err == nil && len(found) == 0
	})
	if lost.any() {
		made = s.reconcileCreate(ctx, marker, made, lost, diags)
	}
	switch {
	case failed != nil:
		if made != nil {
			// An earlier lost request made it after all: keep that one.
			break
		}
		addClientError(diags, "Unable to create the machine", failed)
		return nil, false
	case made == nil && !diags.HasError():
		diags.AddError("Unable to create the machine", lost.failure(", and no machine was made by them"))
		return nil, false
	case made == nil:
		return nil, false
	}
	m, err := s.client.UpdateMachine(ctx, made.ID, client.UpdateMachineRequest{Name: &name})
	if err != nil {
		addClientError(diags, fmt.Sprintf("Machine %s was created, but renaming it from its temporary name failed: the next apply replaces it", made.ID), err)
		return made, false
	}
	made.Machine = *m
	return made, true
}

// markedMachineName is name followed by the marker, within Clerk's 255
// characters for a machine's name.
func markedMachineName(name, marker string) string {
	return markedName(name, marker, 255)
}

// findMarked lists the machines carrying marker, oldest first. Clerk
// matches a query against names in part and perhaps loosely, so the exact
// suffix is checked here too.
func (s *machineStore) findMarked(ctx context.Context, marker string) ([]client.Machine, error) {
	suffix := machineCreateMarkerPrefix + marker
	all, err := s.listAll(ctx, marker)
	if err != nil {
		return nil, err
	}
	found := slices.DeleteFunc(all, func(m client.Machine) bool { return !strings.HasSuffix(m.Name, suffix) })
	slices.SortFunc(found, func(a, b client.Machine) int {
		return cmp.Or(cmp.Compare(a.CreatedAt, b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return found, nil
}

// listAll lists every machine matching query, 500 a page.
func (s *machineStore) listAll(ctx context.Context, query string) ([]client.Machine, error) {
	var all []client.Machine
	for offset := 0; ; offset += machineListPageSize {
		page, err := s.client.ListMachines(ctx, client.ListMachinesRequest{Query: query, Limit: machineListPageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		all = append(all, page.Machines...)
		if len(page.Machines) == 0 || offset+machineListPageSize >= page.TotalCount {
			return all, nil
		}
	}
}

// reconcileCreate settles what lost answers left: it keeps made, or else
// adopts the oldest machine carrying marker, and deletes every other one.
// It returns the machine kept, or nil, adding a warning naming what it
// adopted or deleted and an error naming what it could not settle.
func (s *machineStore) reconcileCreate(ctx context.Context, marker string, made *client.MachineWithSecret, lost lostCreates, diags *diag.Diagnostics) *client.MachineWithSecret {
	// left is what the last round's deletes left: a later round whose
	// search fails still names it.
	var adopted string
	var left []string
	deleted, _, err := settleLostAnswers(ctx, lost, func(ctx context.Context) (deleted, _ []string, err error) {
		found, err := s.findMarked(ctx, marker)
		if err == nil && made == nil && len(found) > 0 {
			if made, err = s.adopt(ctx, found[0]); err == nil {
				adopted = made.ID
			}
		}
		if err != nil {
			return nil, left, err
		}
		deleted, left, err = s.deleteExtras(ctx, found, made)
		return deleted, left, err
	})
	if adopted != "" {
		diags.AddWarning("Adopted a machine made by a create whose answer was lost",
			fmt.Sprintf("A create request got no answer, yet Clerk made machine %s: the provider read its secret key and uses it.", adopted))
	}
	report := leftBehindReport{
		failed: "A machine may have been left behind: searching for machines named with " + machineCreateMarkerPrefix + marker + " failed",
		left: func(ids string) string {
			return fmt.Sprintf("The lost requests left these machines, named with %q: %s. Delete them in the Clerk dashboard or with the Backend API.", machineCreateMarkerPrefix+marker, ids)
		},
		settled: "Deleted a machine left behind by a lost answer",
		settledDetail: func(ids string) string {
			return fmt.Sprintf("A create request got no answer, yet Clerk made a machine: %s, now deleted.", ids)
		},
	}
	// Unlike other credentials, a machine deleted before the search failed
	// is named too; a machine kept despite the error goes into state with
	// it, so Terraform still tracks it (and replaces it next time).
	report.warn(diags, deleted)
	if err != nil {
		report.fail(diags, left, err)
	}
	return made
}

// adopt makes a listed machine the one created, with its secret key.
func (s *machineStore) adopt(ctx context.Context, m client.Machine) (*client.MachineWithSecret, error) {
	key, err := s.client.GetMachineSecretKey(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return &client.MachineWithSecret{Machine: m, SecretKey: key}, nil
}

// deleteExtras deletes every machine of found but keep; gone counts as
// deleted. On failure it also returns the ids it did not delete.
func (s *machineStore) deleteExtras(ctx context.Context, found []client.Machine, keep *client.MachineWithSecret) (deleted, left []string, err error) {
	var extras []string
	for _, m := range found {
		if keep == nil || m.ID != keep.ID {
			extras = append(extras, m.ID)
		}
	}
	return settleEach(extras, func(id string) error {
		if err := s.client.DeleteMachine(ctx, id); err != nil && !client.IsNotFound(err) {
			return err
		}
		s.recordGone(id)
		return nil
	})
}
