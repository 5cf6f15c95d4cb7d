package fakehub

import (
	"fmt"
	"net/http"
	"slices"
)

// protectionAccess are the values of Repo.ProtectionAccess.
var protectionAccess = []string{"read", "forbidden", "hidden"}

const (
	docsRules      = "https://docs.github.com/rest/repos/rules#get-rules-for-a-branch"
	docsProtection = "https://docs.github.com/rest/branches/branch-protection#get-status-checks-protection"
)

// requirements checks a ref's Rules and Protection and keeps them on c,
// Protection with Contexts and Checks both filled in, as GitHub shows them.
func requirements(c *commit, ref *Ref, path, where string, next *ids) error {
	if ref.Rules == nil && ref.Protection == nil {
		return nil
	}
	if ref.Name == "" {
		field := ".rules"
		if ref.Rules == nil {
			field = ".protection"
		}
		return invalid(where, path+field, "rules and protection belong to a branch: the ref needs a name")
	}
	if ref.Rules != nil {
		for k, check := range ref.Rules.RequiredStatusChecks {
			p := fmt.Sprintf("%s.rules.required_status_checks[%d]", path, k)
			if check.Context == "" {
				return invalid(where, p+".context", "a required check needs a context")
			}
			if check.IntegrationID < 0 {
				return invalid(where, p+".integration_id", "integration_id %d is negative", check.IntegrationID)
			}
		}
		rules := *ref.Rules
		c.rules = &rules
		next.ruleset++
		c.rulesetID = next.ruleset
	}
	if ref.Protection != nil {
		prot, err := normalizeProtection(*ref.Protection, path+".protection", where)
		if err != nil {
			return err
		}
		c.protection = &prot
	}
	return nil
}

func normalizeProtection(prot Protection, path, where string) (Protection, error) {
	for k, name := range prot.Contexts {
		if name == "" {
			return prot, invalid(where, fmt.Sprintf("%s.contexts[%d]", path, k), "an empty context")
		}
	}
	var named []string
	for k, check := range prot.Checks {
		if check.Context == "" {
			return prot, invalid(where, fmt.Sprintf("%s.checks[%d].context", path, k), "a required check needs a context")
		}
		named = append(named, check.Context)
	}
	switch {
	case len(prot.Checks) == 0:
		for _, name := range prot.Contexts {
			prot.Checks = append(prot.Checks, ProtectionCheck{Context: name})
		}
	case len(prot.Contexts) == 0:
		prot.Contexts = named
	case !slices.Equal(slices.Sorted(slices.Values(prot.Contexts)), slices.Sorted(slices.Values(named))):
		return prot, invalid(where, path+".contexts", "contexts %q and the contexts of checks %q differ; give one of them, or both alike", prot.Contexts, named)
	}
	if prot.Contexts == nil {
		prot.Contexts, prot.Checks = []string{}, []ProtectionCheck{}
	}
	return prot, nil
}

// ruleJSON is one rule of GET /repos/{o}/{r}/rules/branches/{branch}
// (repository-rule-detailed): fakehub's rulesets have one rule each, of
// type required_status_checks.
type ruleJSON struct {
	Type              string         `json:"type"`
	Parameters        ruleParamsJSON `json:"parameters"`
	RulesetSourceType string         `json:"ruleset_source_type"`
	RulesetSource     string         `json:"ruleset_source"`
	RulesetID         int64          `json:"ruleset_id"`
}

type ruleParamsJSON struct {
	StrictPolicy         bool            `json:"strict_required_status_checks_policy"`
	RequiredStatusChecks []RequiredCheck `json:"required_status_checks"`
}

// serveRules answers with the rules of a branch: [] for one without, as
// for a branch that does not exist, a page at a time.
func serveRules(rep *reply, c *call, branch string) {
	if !c.repo.rulesets {
		rep.fail(http.StatusNotFound, "Not Found", docsRules)
		return
	}
	all := []ruleJSON{}
	if cm := c.repo.branches[branch]; cm != nil && cm.rules != nil {
		all = append(all, ruleJSON{
			Type: "required_status_checks",
			Parameters: ruleParamsJSON{
				StrictPolicy:         cm.rules.Strict,
				RequiredStatusChecks: append([]RequiredCheck{}, cm.rules.RequiredStatusChecks...),
			},
			RulesetSourceType: "Repository",
			RulesetSource:     c.repo.fullName(),
			RulesetID:         cm.rulesetID,
		})
	}
	p := pageOf(c.r.URL.Query(), len(all))
	lo, hi := p.bounds(len(all))
	rep.ok(all[lo:hi])
	p.setLink(rep, c)
}

// statusCheckPolicyJSON is GET .../protection/required_status_checks
// (status-check-policy).
type statusCheckPolicyJSON struct {
	URL         string                `json:"url"`
	Strict      bool                  `json:"strict"`
	Contexts    []string              `json:"contexts"`
	ContextsURL string                `json:"contexts_url"`
	Checks      []protectionCheckJSON `json:"checks"`
}

// protectionCheckJSON is a ProtectionCheck with app_id null, not left out,
// for any app.
type protectionCheckJSON struct {
	Context string `json:"context"`
	AppID   *int64 `json:"app_id"`
}

// serveProtection answers with a branch's classic protection, to a token
// the scenario lets read it. GitHub documents only 404 for the others, and
// that is what an anonymous request and a token without admin rights get;
// GitHub Actions' GITHUB_TOKEN gets 403.
func serveProtection(rep *reply, c *call, branch string, authorized bool) {
	switch {
	case !authorized || c.repo.ProtectionAccess == "hidden":
		rep.fail(http.StatusNotFound, "Not Found", docsProtection)
		return
	case c.repo.ProtectionAccess == "forbidden":
		rep.fail(http.StatusForbidden, "Resource not accessible by integration", docsProtection)
		return
	}
	cm := c.repo.branches[branch]
	switch {
	case cm == nil:
		rep.fail(http.StatusNotFound, "Branch not found", docsProtection)
		return
	case cm.protection == nil:
		rep.fail(http.StatusNotFound, "Branch not protected", docsProtection)
		return
	}
	checks := make([]protectionCheckJSON, 0, len(cm.protection.Checks))
	for _, check := range cm.protection.Checks {
		checks = append(checks, protectionCheckJSON(check))
	}
	u := c.repoAPI() + "/branches/" + branch + "/protection/required_status_checks"
	rep.ok(statusCheckPolicyJSON{
		URL:         u,
		Strict:      cm.protection.Strict,
		Contexts:    cm.protection.Contexts,
		ContextsURL: u + "/contexts",
		Checks:      checks,
	})
}
