package aws

// creatorLookups read, whoever made them, the events that create what the later steps judge: key
// pairs, launch templates, Auto Scaling groups and fleets in every region, and roles in us-east-1,
// where IAM is recorded. A teammate's key pair or template made after T0 is then known as theirs,
// as a scale-out or a colleague's user already is, and the attacker's are named by their event.
func creatorLookups(region string) []lookup {
	names := []string{"CreateKeyPair", "ImportKeyPair", "CreateLaunchTemplate", "CreateAutoScalingGroup", "RequestSpotFleet", "CreateFleet"}
	if region == globalRegion {
		names = append(names, "CreateRole")
	}
	out := make([]lookup, len(names))
	for i, n := range names {
		out[i] = lookup{key: "EventName", value: n, context: true}
	}
	return out
}

// withoutRepeats drops a lookup already in the list: each costs a paced call.
func withoutRepeats(list []lookup) []lookup {
	seen := map[lookup]bool{}
	out := list[:0:0]
	for _, l := range list {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// keyPairCreated is the key pair a CreateKeyPair or ImportKeyPair event made: known by its id
// and by its region and name (key pair names repeat across regions).
func (e TrailEvent) keyPairCreated() []Created {
	resp := e.rec.Response()
	name := firstOf(field(resp, "keyName"), field(e.rec.Request(), "keyName"))
	if name == "" {
		return nil
	}
	out := []Created{{Kind: TouchedKeyPair, ID: KeyPairRef(e.Region, name)}}
	if id := field(resp, "keyPairId"); id != "" {
		out = append(out, Created{Kind: TouchedKeyPair, ID: id})
	}
	return out
}

// TouchedKeyPair is the kind of an EC2 key pair in the trace.
const TouchedKeyPair = "key pair"

// KeyPairRef is how the trace knows a key pair by name: its region and name.
func KeyPairRef(region, name string) string { return region + "/key-pair/" + name }

// SeenFrom lists the source addresses CloudTrail recorded for a credential's calls among the
// events the trace read, the attacker's and everyone's launches and creations alike.
func (f *Footprint) SeenFrom(credential string) []string {
	return f.Sources[credential]
}

// keyPairTouched is the key pair a creating event touched, once, by name (with its ARN when the
// record has its id).
func (e TrailEvent) keyPairTouched() []Touched {
	if e.EventName != "CreateKeyPair" && e.EventName != "ImportKeyPair" {
		return nil
	}
	resp := e.rec.Response()
	name := firstOf(field(resp, "keyName"), field(e.rec.Request(), "keyName"))
	if name == "" {
		return nil
	}
	t := Touched{Kind: TouchedKeyPair, ID: name}
	if id := field(resp, "keyPairId"); id != "" {
		t.ARN = e.arn("ec2", "key-pair/"+id)
	}
	return []Touched{t}
}
