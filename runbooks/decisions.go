package runbooks

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"lockdown/steps"
)

// KindKeep is an operator's decision to keep something the verification would count against
// containment (an access key made after T0, a role an outside account can assume, an instance),
// with the reason. Verification shows such an item as a pass with the reason beside it.
const KindKeep = "keep"

// keepData is a keep decision as the journal holds it.
type keepData struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
}

// Keep records the operator's decision to keep item, for reason, on a step. The reason is
// required: whoever reads the report must be able to see why the item stayed.
func (r *Run) Keep(stepID, item, reason string) error {
	item, reason = strings.TrimSpace(item), strings.TrimSpace(reason)
	if item == "" {
		return fmt.Errorf("nothing to keep: no item named")
	}
	if reason == "" {
		return fmt.Errorf("keeping %s needs a reason", item)
	}
	r.mu.Lock()
	st, err := r.lookup(stepID)
	var env *steps.Env
	if err == nil {
		env = r.env(st)
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return r.record(r.entry(env, stepID, KindKeep, "kept "+item+": "+reason, keepData{Item: item, Reason: reason}))
}

// KeptItems returns the keep decisions (item → reason) journaled for account in the journals of
// dir, the later decision on an item winning. A drill's decisions count only in the drill itself
// (drillIncident): its simulated ids come back in the next drill, and a decision taken there
// must not carry over. Journals that cannot be read are left out.
func KeptItems(dir, account, drillIncident string) map[string]string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	return keptIn(paths, account, drillIncident)
}

func keptIn(paths []string, account, drillIncident string) map[string]string {
	out := map[string]string{}
	if account == "" {
		return out
	}
	for _, path := range paths {
		entries, err := readJournalShared(path)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Kind != KindKeep || e.Account != account {
				continue
			}
			if e.Mode == string(steps.Drill) && e.Incident != drillIncident {
				continue
			}
			if item := field(e.Data, "item"); item != "" {
				out[item] = field(e.Data, "reason")
			}
		}
	}
	return out
}

// keptItems are the decisions of this run's own journal, and those the run's environment adds
// (other journals of the account): a decision taken in this run counts at once.
func (r *Run) keptItems() map[string]string {
	account := ""
	if r.cfg.Account != nil {
		account = r.cfg.Account.Guard().Account()
	}
	out := keptIn([]string{r.cfg.Journal.Path()}, account, r.cfg.Incident)
	if r.cfg.Env.Kept != nil {
		for item, reason := range r.cfg.Env.Kept() {
			if _, own := out[item]; !own {
				out[item] = reason
			}
		}
	}
	return out
}

// SkipRegion records the operator's decision to leave region out of every step from now on — a
// region the responder may not touch — with the reason. The steps that read regions leave it out;
// the verification shows it as a pass that is the operator's decision, never as a silent one.
func (r *Run) SkipRegion(stepID, region, reason string) error {
	region = strings.TrimSpace(region)
	if region == "" {
		return fmt.Errorf("no region named to leave out")
	}
	return r.Keep(stepID, steps.SkipRegionItem(region), reason)
}

// leaveOutRegions adds the regions the operator left out to the step's skip_regions, when its
// action reads regions.
func (r *Run) leaveOutRegions(st *StepStatus, env *steps.Env) {
	action, ok := r.cfg.Registry.Lookup(st.Step.Action)
	if !ok {
		return
	}
	if _, takes := action.Spec().Param("skip_regions"); !takes {
		return
	}
	regions := slices.Clone(env.Params.Strings("skip_regions"))
	for item := range r.keptItems() {
		if region, ok := strings.CutPrefix(item, steps.SkipRegionItem("")); ok && region != "" && !slices.Contains(regions, region) {
			regions = append(regions, region)
		}
	}
	if len(regions) > 0 {
		slices.Sort(regions)
		env.Params["skip_regions"] = regions
	}
}
