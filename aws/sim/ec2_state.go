package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EC2Spec is the scenario's EC2 estate: key pairs, hand-written instances, and generated fleets
// (thousands of instances in a few lines, for benchmarks and large drills).
type EC2Spec struct {
	KeyPairs  []KeyPairSpec  `yaml:"key_pairs"`
	Instances []InstanceSpec `yaml:"instances"`
	Generate  []FleetSpec    `yaml:"generate"`
	// LaunchTemplates, SpotFleets and Fleets are the respawners of respawners.go.
	LaunchTemplates []LaunchTemplateSpec `yaml:"launch_templates"`
	SpotFleets      []FleetRequestSpec   `yaml:"spot_fleets"`
	Fleets          []FleetRequestSpec   `yaml:"fleets"`
	// SecurityGroups, Snapshots and Images are what can expose the account (exposure_spec.go).
	SecurityGroups []SecurityGroupSpec `yaml:"security_groups"`
	Snapshots      []SnapshotSpec      `yaml:"snapshots"`
	Images         []ImageSpec         `yaml:"images"`
}

// KeyPairSpec is one EC2 key pair.
type KeyPairSpec struct {
	Region  string `yaml:"region"`
	Name    string `yaml:"name"`
	Created When   `yaml:"created"`
	// By is who made the key pair (see UserSpec.By): its CreateKeyPair, or ImportKeyPair when
	// Imported, is written into CloudTrail.
	By       string `yaml:"by"`
	Imported bool   `yaml:"imported"`
}

// InstanceSpec is one instance. State defaults to running, Type to t3.micro. Protected sets
// disableApiTermination, as the console's "termination protection" does.
type InstanceSpec struct {
	Region    string            `yaml:"region"`
	ID        string            `yaml:"id"`
	Type      string            `yaml:"type"`
	State     string            `yaml:"state"`
	Launched  When              `yaml:"launched"`
	KeyName   string            `yaml:"key_name"`
	Tags      map[string]string `yaml:"tags"`
	Protected bool              `yaml:"protected"`
	// Spot makes the instance the fulfilment of a spot request.
	Spot *SpotSpec `yaml:"spot"`
	// FirstLaunched is when the instance was first launched (its primary network interface's
	// attachment time) when it was started again since: Launched is then the last start.
	FirstLaunched When `yaml:"first_launched"`
	// UserData is the instance's user data, as text.
	UserData string `yaml:"user_data"`
	// By is who launched the instance, for its CloudTrail history (see UserSpec.By).
	By string `yaml:"by"`
}

// SpotSpec is the spot request behind an instance: one-time or persistent (a persistent request
// launches a replacement when its instance is terminated, until the request is cancelled).
type SpotSpec struct {
	Type    string `yaml:"type"`
	Created When   `yaml:"created"`
}

// FleetSpec generates Count identical instances; Name, when set, tags them Name=<name>-<n>.
type FleetSpec struct {
	InstanceSpec `yaml:",inline"`
	Count        int    `yaml:"count"`
	Name         string `yaml:"name"`
}

var instanceStates = map[string]int32{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

func (sp *EC2Spec) validate() error {
	for i, in := range sp.Instances {
		if err := in.validate(); err != nil {
			return under(fmt.Sprintf("ec2.instances[%d]", i), err)
		}
	}
	for i, f := range sp.Generate {
		if f.Count <= 0 {
			return fmt.Errorf("ec2.generate[%d].count: must be positive, got %d", i, f.Count)
		}
		if f.ID != "" || f.Spot != nil || f.FirstLaunched != "" {
			return fmt.Errorf("ec2.generate[%d]: a fleet cannot have a fixed id, a spot request or a first_launched", i)
		}
		if err := f.InstanceSpec.validate(); err != nil {
			return under(fmt.Sprintf("ec2.generate[%d]", i), err)
		}
	}
	for i, k := range sp.KeyPairs {
		if k.Region == "" || k.Name == "" {
			return fmt.Errorf("ec2.key_pairs[%d]: region and name are required", i)
		}
	}
	for i, t := range sp.LaunchTemplates {
		if t.Region == "" || t.Name == "" {
			return fmt.Errorf("ec2.launch_templates[%d]: region and name are required", i)
		}
	}
	if err := validateFleets("ec2.spot_fleets", sp.SpotFleets, "maintain", "request"); err != nil {
		return err
	}
	if err := sp.validateExposure(); err != nil {
		return err
	}
	return validateFleets("ec2.fleets", sp.Fleets, "maintain", "request", "instant")
}

// checkRegions refuses resources in a region the account does not have, which would otherwise
// vanish from every scan without a word.
func (sp *EC2Spec) checkRegions(regions []RegionSpec) error {
	known := map[string]bool{}
	for _, r := range regions {
		known[r.Name] = true
	}
	check := func(list string, i int, region string) error {
		if !known[region] {
			return fmt.Errorf("ec2.%s[%d].region: %q is not one of the scenario's regions", list, i, region)
		}
		return nil
	}
	for i, k := range sp.KeyPairs {
		if err := check("key_pairs", i, k.Region); err != nil {
			return err
		}
	}
	for i, in := range sp.Instances {
		if err := check("instances", i, in.Region); err != nil {
			return err
		}
	}
	for i, f := range sp.Generate {
		if err := check("generate", i, f.Region); err != nil {
			return err
		}
	}
	return sp.checkExposureRegions(check)
}

func (in *InstanceSpec) validate() error {
	if in.Region == "" {
		return fmt.Errorf("an instance's region is required")
	}
	if _, ok := instanceStates[in.State]; in.State != "" && !ok {
		return fmt.Errorf("state: %q is not an instance state (pending, running, stopping, stopped, shutting-down, terminated)", in.State)
	}
	if in.Spot != nil && in.Spot.Type != "" && in.Spot.Type != "one-time" && in.Spot.Type != "persistent" {
		return fmt.Errorf("spot.type: must be one-time or persistent, got %q", in.Spot.Type)
	}
	return nil
}

// ec2State holds the EC2 resources of every region.
type ec2State struct {
	regions map[string]*ec2Region
	// ids mints the ids of security groups, rules, snapshots and AMIs apart from the instances',
	// so a scenario's instance ids do not change when it plants those.
	ids *idSource
}

// ec2Region is one region's instances (in launch order, so paging is stable), key pairs and spot
// requests.
type ec2Region struct {
	name      string
	instances []*instance
	byID      map[string]*instance
	keyPairs  []*keyPair
	spot      []*spotRequest
	spotByID  map[string]*spotRequest
	respawnerState
	exposureState
}

type instance struct {
	ID, Reservation, Type, State, KeyName, Image, Zone string
	// Launched is EC2's LaunchTime: the last time the instance was started, which stopping and
	// starting it sets anew.
	Launched time.Time
	// Attached is when its primary network interface was attached: its first launch, which a
	// restart keeps.
	Attached time.Time
	// ENI is its primary network interface; UserData its user data, base64 as EC2 keeps it.
	ENI, UserData string
	Tags          []tag
	Protected     bool
	SpotRequest   string
	// By is the credential that launched the instance, or the scenario's `by`.
	By string
	// Launcher names the respawner that launched it (a group, fleet or spot request), as a
	// holding's key, when one did: the instance is then whoever made that respawner's.
	Launcher string
	// Ended is when it began to terminate, and EndedBy the credential whose call did it.
	Ended   time.Time
	EndedBy string
}

// end marks an instance as going away at now, because of a call by by: it is terminated at once,
// or shutting down until a scale-in completes.
func (inst *instance) end(state string, now time.Time, by string) {
	if inst.Ended.IsZero() {
		inst.Ended, inst.EndedBy = now, by
	}
	inst.State = state
}

type tag struct{ Key, Value string }

type keyPair struct {
	ID, Name, Fingerprint string
	Created               time.Time
	// By is the credential that created or imported it, when known.
	By string
}

type spotRequest struct {
	ID, Type, State, StatusCode, InstanceID string
	Created                                 time.Time
	// launch is what a persistent request launches again.
	launch launchSpec
}

// launchSpec is what RunInstances (or a spot request) needs to start an instance.
type launchSpec struct {
	Type, KeyName, Image string
	// UserData is base64, as RunInstances takes it.
	UserData  string
	Tags      []tag
	Protected bool
	// By is who launches: a persistent spot request's replacements are its launcher's.
	By string
	// Launcher is the holding key of the respawner that launches, if any.
	Launcher string
}

func newEC2State(s *Server, spec EC2Spec) (*ec2State, error) {
	st := &ec2State{regions: map[string]*ec2Region{}, ids: newIDSource(s.scenario.Seed ^ 0x5ec9a0b5)}
	if err := spec.checkRegions(s.regions); err != nil {
		return nil, err
	}
	for _, k := range spec.KeyPairs {
		st.region(k.Region).addKeyPair(s, k.Name, resolveChecked(k.Created, s.start)).By = k.By
	}
	for i, in := range spec.Instances {
		if err := st.seed(s, in, in.ID); err != nil {
			return nil, under(fmt.Sprintf("ec2.instances[%d]", i), err)
		}
	}
	for i, f := range spec.Generate {
		if err := st.seedFleet(s, f); err != nil {
			return nil, under(fmt.Sprintf("ec2.generate[%d]", i), err)
		}
	}
	if err := st.seedGroups(s, spec.SecurityGroups); err != nil {
		return nil, err
	}
	st.seedDefaultGroups(s)
	st.seedOwned(s, spec)
	return st, nil
}

// seedFleet adds a generated fleet. Its launch time and tags are worked out once, not per
// instance: a large scenario generates tens of thousands, and the drill must start at once.
func (st *ec2State) seedFleet(s *Server, f FleetSpec) error {
	launched := resolveChecked(f.Launched, s.start)
	base := tagList(f.Tags)
	nameAt := -1
	if f.Name != "" {
		base = slices.DeleteFunc(base, func(t tag) bool { return t.Key == "Name" })
		nameAt, _ = slices.BinarySearchFunc(base, "Name", func(t tag, key string) int { return strings.Compare(t.Key, key) })
	}
	for n := 1; n <= f.Count; n++ {
		tags := slices.Clone(base)
		if nameAt >= 0 {
			tags = slices.Insert(tags, nameAt, tag{"Name", f.Name + "-" + strconv.Itoa(n)})
		}
		if err := st.seedAt(s, f.InstanceSpec, "", launched, tags); err != nil {
			return err
		}
	}
	return nil
}

// seed adds one scenario instance, with its spot request when it has one.
func (st *ec2State) seed(s *Server, in InstanceSpec, id string) error {
	launched := resolveChecked(in.Launched, s.start)
	if err := st.seedAt(s, in, id, launched, tagList(in.Tags)); err != nil {
		return err
	}
	if in.FirstLaunched == "" {
		return nil
	}
	first := resolveChecked(in.FirstLaunched, s.start)
	if first.After(launched) {
		return fmt.Errorf("first_launched: is after launched: an instance is started again only after its first launch")
	}
	r := st.region(in.Region)
	r.instances[len(r.instances)-1].Attached = first.UTC().Truncate(time.Second)
	return nil
}

func (st *ec2State) seedAt(s *Server, in InstanceSpec, id string, launched time.Time, tags []tag) error {
	r := st.region(in.Region)
	spec := launchSpec{Type: in.Type, KeyName: in.KeyName, Tags: tags, Protected: in.Protected, By: in.By, UserData: encodeUserData(in.UserData)}
	inst := r.launch(s, spec, launched, in.State, id, s.ids.hex("r-", 17))
	if in.Spot != nil {
		sr := r.addSpotRequest(s, in.Spot.Type, resolveChecked(in.Spot.Created, s.start), spec)
		sr.fulfil(inst)
	}
	return nil
}

func (st *ec2State) region(name string) *ec2Region {
	r, ok := st.regions[name]
	if !ok {
		r = &ec2Region{name: name, byID: map[string]*instance{}, spotByID: map[string]*spotRequest{}}
		r.defaultVPC = st.ids.hex("vpc-", 17)
		st.regions[name] = r
	}
	return r
}

// launch starts one instance from spec; an empty id is generated.
func (r *ec2Region) launch(s *Server, spec launchSpec, at time.Time, state, id, reservation string) *instance {
	if id == "" {
		id = s.ids.hex("i-", 17)
	}
	if state == "" {
		state = "running"
	}
	if spec.Type == "" {
		spec.Type = "t3.micro"
	}
	if spec.Image == "" {
		spec.Image = "ami-0abcdef1234567890"
	}
	at = at.UTC().Truncate(time.Second)
	inst := &instance{ID: id, Reservation: reservation, Type: spec.Type, State: state, KeyName: spec.KeyName,
		Image: spec.Image, Zone: r.name + "a", Launched: at, Attached: at, ENI: "eni-" + strings.TrimPrefix(id, "i-"), UserData: spec.UserData,
		Tags: spec.Tags, Protected: spec.Protected, By: spec.By, Launcher: spec.Launcher}
	r.instances = append(r.instances, inst)
	r.byID[id] = inst
	return inst
}

func (r *ec2Region) addKeyPair(s *Server, name string, created time.Time) *keyPair {
	fp := s.ids.hex("", 40)
	k := &keyPair{ID: s.ids.hex("key-", 17), Name: name, Created: created.UTC().Truncate(time.Second)}
	for i := 0; i < len(fp); i += 2 {
		if i > 0 {
			k.Fingerprint += ":"
		}
		k.Fingerprint += fp[i : i+2]
	}
	r.keyPairs = append(r.keyPairs, k)
	return k
}

func (r *ec2Region) keyPair(name string) *keyPair {
	for _, k := range r.keyPairs {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (r *ec2Region) addSpotRequest(s *Server, kind string, created time.Time, spec launchSpec) *spotRequest {
	if kind == "" {
		kind = "one-time"
	}
	sr := &spotRequest{ID: s.ids.hex("sir-", 8), Type: kind, State: "open", StatusCode: "pending-evaluation",
		Created: created.UTC().Truncate(time.Second), launch: spec}
	sr.launch.Launcher = HoldingKey(HoldingSpot, r.name, sr.ID)
	r.spot = append(r.spot, sr)
	r.spotByID[sr.ID] = sr
	return sr
}

func (sr *spotRequest) fulfil(inst *instance) {
	sr.State, sr.StatusCode, sr.InstanceID = "active", "fulfilled", inst.ID
	inst.SpotRequest, inst.Launcher = sr.ID, sr.launch.Launcher
}

func tagList(m map[string]string) []tag {
	out := make([]tag, 0, len(m))
	for k, v := range m {
		out = append(out, tag{k, v})
	}
	sortTags(out)
	return out
}
