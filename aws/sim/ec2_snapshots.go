package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// snapshot is an EBS snapshot the account owns. shares are the accounts it is shared with, and
// "all" when it is public, in the order they were given.
type snapshot struct {
	ID, VolumeID, Description string
	Size                      int
	Encrypted                 bool
	Created                   time.Time
	shares                    []string
	// grants are the scenario's shares with when and by whom they were made, for the history.
	grants []grant
}

// image is an AMI the account owns, with its launch permissions as shares.
type image struct {
	ID, Name, Description string
	Created               time.Time
	shares                []string
	grants                []grant
}

// grant is one share the scenario planted: whom, when and by whom.
type grant struct {
	Who, By string
	At      time.Time
}

func grantsOf(s *Server, shares []ShareSpec) ([]string, []grant) {
	var who []string
	var out []grant
	for _, sh := range shares {
		at := resolveChecked(sh.At, s.start)
		who = share(who, sh.With)
		out = append(out, grant{Who: sh.With, By: sh.By, At: at.UTC().Truncate(time.Second)})
	}
	return who, out
}

func (r *ec2Region) snapshot(id string) *snapshot {
	for _, s := range r.snapshots {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (r *ec2Region) image(id string) *image {
	for _, img := range r.images {
		if img.ID == id {
			return img
		}
	}
	return nil
}

// share adds who to shares, once.
func share(shares []string, who string) []string {
	if slices.Contains(shares, who) {
		return shares
	}
	return append(shares, who)
}

func unshare(shares []string, who string) []string {
	return slices.DeleteFunc(shares, func(s string) bool { return s == who })
}

// addSnapshot plants a snapshot; an empty id is minted.
func (st *ec2State) addSnapshot(r *ec2Region, id string, created time.Time) *snapshot {
	if id == "" {
		id = st.ids.hex("snap-", 17)
	}
	sn := &snapshot{ID: id, VolumeID: st.ids.hex("vol-", 17), Size: 8, Created: created.UTC().Truncate(time.Second)}
	r.snapshots = append(r.snapshots, sn)
	return sn
}

func (st *ec2State) addImage(r *ec2Region, id, name string, created time.Time) *image {
	if id == "" {
		id = st.ids.hex("ami-", 17)
	}
	if name == "" {
		name = id
	}
	img := &image{ID: id, Name: name, Created: created.UTC().Truncate(time.Second)}
	r.images = append(r.images, img)
	return img
}

// seedOwned plants the scenario's snapshots and AMIs with their shares.
func (st *ec2State) seedOwned(s *Server, spec EC2Spec) {
	for _, ss := range spec.Snapshots {
		sn := st.addSnapshot(st.region(ss.Region), ss.ID, resolveChecked(ss.Created, s.start))
		sn.Description, sn.Encrypted = ss.Description, ss.Encrypted
		if ss.VolumeID != "" {
			sn.VolumeID = ss.VolumeID
		}
		if ss.Size > 0 {
			sn.Size = ss.Size
		}
		sn.shares, sn.grants = grantsOf(s, ss.Shares)
	}
	for _, is := range spec.Images {
		img := st.addImage(st.region(is.Region), is.ID, is.Name, resolveChecked(is.Created, s.start))
		img.Description = is.Description
		img.shares, img.grants = grantsOf(s, is.Shares)
	}
}

// permissionChange is what a Modify*Attribute call asks: who to add, who to remove.
type permissionChange struct {
	Add, Remove []string
}

// permissionChangeParams reads a ModifySnapshotAttribute or ModifyImageAttribute request in either of
// EC2's forms: CreateVolumePermission.Add.N.UserId (or LaunchPermission…, with Group for all), or
// OperationType with UserId.N and UserGroup.N. Mixing them, or naming nobody, is refused.
func permissionChangeParams(p url.Values, attribute, structured string) (permissionChange, error) {
	var ch permissionChange
	for _, op := range []string{"Add", "Remove"} {
		for i := 1; ; i++ {
			prefix := fmt.Sprintf("%s.%s.%d.", structured, op, i)
			user, group := p.Get(prefix+"UserId"), p.Get(prefix+"Group")
			if user == "" && group == "" {
				break
			}
			who := user
			if group != "" {
				who = group
			}
			if op == "Add" {
				ch.Add = append(ch.Add, who)
			} else {
				ch.Remove = append(ch.Remove, who)
			}
		}
	}
	opType := p.Get("OperationType")
	named := append(listParam(p, "UserId"), listParam(p, "UserGroup")...)
	switch {
	case opType != "" && len(ch.Add)+len(ch.Remove) > 0:
		return ch, Errorf(http.StatusBadRequest, "InvalidParameterCombination", "The parameter %s cannot be used with the parameter operationType", structured)
	case opType == "add":
		ch.Add = named
	case opType == "remove":
		ch.Remove = named
	case opType != "":
		return ch, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter operationType is invalid. Valid values are add and remove.", opType)
	}
	if attr := p.Get("Attribute"); attr != "" && attr != attribute {
		return ch, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid: only %s can be modified here", attr, attribute)
	}
	if len(ch.Add)+len(ch.Remove) == 0 {
		return ch, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s, or userId or userGroup with operationType", structured)
	}
	for _, who := range append(slices.Clone(ch.Add), ch.Remove...) {
		if !validGrantee(who) {
			return ch, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter userId or group is invalid: an account id of 12 digits, or the group all", who)
		}
	}
	return ch, nil
}

// apply changes shares as the request asks: removals of what is not there are no error.
func (ch permissionChange) apply(shares []string) []string {
	for _, who := range ch.Add {
		shares = share(shares, who)
	}
	for _, who := range ch.Remove {
		shares = unshare(shares, who)
	}
	return shares
}
