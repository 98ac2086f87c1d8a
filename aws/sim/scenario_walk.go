package sim

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// walkScenario calls visit with every field of the scenario that its YAML sets, with the field's
// YAML path ("iam.users[2].access_keys[0].created"), so a check that applies to every value of a
// kind (every time, every `by`) reaches each one wherever the format puts it, now and as it grows.
// The first error visit returns stops the walk.
func walkScenario(sc *Scenario, visit func(path string, v reflect.Value) error) error {
	return walkValue(reflect.ValueOf(sc).Elem(), "", visit)
}

func walkValue(v reflect.Value, path string, visit func(string, reflect.Value) error) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return walkValue(v.Elem(), path, visit)
	case reflect.Slice:
		for i := range v.Len() {
			if err := walkValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return visit(path, v)
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case !f.IsExported() || name == "-":
			case opts == "inline":
				if err := walkValue(v.Field(i), path, visit); err != nil {
					return err
				}
			case name != "":
				if err := walkValue(v.Field(i), joinPath(path, name), visit); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return visit(path, v)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkTimes refuses the first time of the scenario that is neither an offset nor an RFC 3339
// time, at its path: every When, wherever the format has one.
func (sc *Scenario) checkTimes() error {
	return walkScenario(sc, func(path string, v reflect.Value) error {
		w, ok := v.Interface().(When)
		if !ok {
			return nil
		}
		if _, err := w.Resolve(time.Time{}); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}

// checkActors refuses the first `by` that names nobody the simulated account has: every field
// called by (or created_by), wherever the format has one. It runs once the account's keys, users, roles and the
// attacker's sessions exist. An organization's members name their own: each is checked as it is
// built.
func (s *Server) checkActors(sc *Scenario) error {
	return walkScenario(sc, func(path string, v reflect.Value) error {
		if v.Kind() != reflect.String || (path != "by" && !strings.HasSuffix(path, ".by") && !strings.HasSuffix(path, "_by")) || v.String() == "" ||
			strings.HasPrefix(path, "organization.") {
			return nil
		}
		if err := s.knownActor(v.String()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}

// under puts the error of an item's check at the item's path: "faults[2]" and "latency: ..." make
// "faults[2].latency: ...", and a message that starts with no field stays at the item itself.
func under(path string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if field, rest, ok := strings.Cut(msg, ": "); ok && keyPath.MatchString(field) {
		return fmt.Errorf("%s.%s: %s", path, field, rest)
	}
	return fmt.Errorf("%s: %s", path, msg)
}

// Check builds the simulated account a scenario describes (an organization's every account, when
// it describes one), as drill and sim serve do, and discards it: every value they would refuse is
// refused here too, at its place in the file.
func Check(sc *Scenario) error {
	var err error
	if sc.Organization != nil {
		_, err = NewOrganization(sc, Options{})
	} else {
		_, err = New(sc, Options{})
	}
	return err
}

// resolveChecked is the time w names, from start. Every time of a scenario is checked (checkTimes)
// before New builds anything, so one that does not resolve here is a bug in the loader.
func resolveChecked(w When, start time.Time) time.Time {
	t, err := w.Resolve(start)
	if err != nil {
		panic(fmt.Sprintf("sim: a scenario time that was checked does not resolve: %v", err))
	}
	return t
}
