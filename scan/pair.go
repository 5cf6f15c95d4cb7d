package scan

import "path/filepath"

// pair gives each item its host (DESIGN.md "check"): the nearest host in
// its file, else the hosts of its folder, then of each parent folder up to
// the scanned path; several distinct hosts at the same distance leave it
// unpaired. It also settles each item's use from calls in the folder when
// its own file does not use it.
func pair(files []*fileResult, fallback *Host) {
	byDir := map[string][]*fileResult{}
	for _, f := range files {
		byDir[filepath.Dir(f.shown)] = append(byDir[filepath.Dir(f.shown)], f)
	}
	for _, f := range files {
		for _, it := range f.items {
			if it.Use == "" {
				for _, g := range byDir[filepath.Dir(f.shown)] {
					if it.Use = useByName(it.Name, g.uses); it.Use != "" {
						break
					}
				}
			}
			if it.Use == "" {
				it.Use = defaultUse(it)
			}
			h, ambiguous := nearestInFile(f.hosts, it.Line)
			if h == nil && !ambiguous {
				h, ambiguous = inFolders(f, byDir)
			}
			if h == nil && !ambiguous && fallback != nil {
				fb := *fallback
				h = &fb
			}
			it.Host = h
		}
	}
}

// nearestInFile is the host nearest line; ambiguous when distinct hosts
// are equally near.
func nearestInFile(hosts []Host, line int) (*Host, bool) {
	best, bestDist, ambiguous := -1, 0, false
	for i, h := range hosts {
		d := h.Line - line
		if d < 0 {
			d = -d
		}
		switch {
		case best < 0 || d < bestDist:
			best, bestDist, ambiguous = i, d, false
		case d == bestDist && h.Addr() != hosts[best].Addr():
			ambiguous = true
		}
	}
	if best < 0 || ambiguous {
		return nil, ambiguous
	}
	h := hosts[best]
	return &h, false
}

// inFolders looks for hosts in f's folder, then each parent up to the
// scanned path.
func inFolders(f *fileResult, byDir map[string][]*fileResult) (*Host, bool) {
	top := filepath.Clean(f.root)
	if filepath.Clean(f.shown) == top {
		return nil, false // a file given by itself
	}
	for d := filepath.Dir(f.shown); ; d = filepath.Dir(d) {
		var found []Host
		for _, g := range byDir[d] {
			found = append(found, g.hosts...)
		}
		if hs := distinct(found); len(hs) == 1 {
			return &hs[0], false
		} else if len(hs) > 1 {
			return nil, true
		}
		if d == top || d == "." || d == filepath.Dir(d) {
			return nil, false
		}
	}
}
