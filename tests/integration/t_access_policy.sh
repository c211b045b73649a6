# The access policy file and `leura access`, no hosts needed: the example policy passes its
# expectations and a mutated one fails readably; grant and revoke keep comments; check's exit
# statuses; explain, who-can, diff; an invalid policy reported at file:line:col.
# LEURA_ACCESS_FILE points at a copy under $T: nothing under /etc is read or written.
. "$(dirname "$0")/lib.sh"
D=$LEURA_SOURCE_DIR/docs
export LEURA_ACCESS_FILE=$T/access.toml

# No file: access control is off.
leura access status
expect_rc 0
expect_out "^access control: off"
leura access check --as alice run deploy/app
expect_rc 0
expect_out "access control is off"

cp "$D/access.example.toml" "$LEURA_ACCESS_FILE"
chmod 644 "$LEURA_ACCESS_FILE"
leura access status
expect_rc 0
expect_out "^access control: on"
expect_out "LEURA_ACCESS_FILE"

# A group- or world-writable policy is unsafe: deny all but root.
chmod 666 "$LEURA_ACCESS_FILE"
leura access status
expect_out "^access control: deny all but root"
expect_out "writable by its group or others"
chmod 644 "$LEURA_ACCESS_FILE"

leura access test "$D/access.expect.toml"
expect_rc 0
expect_out "^12 expectations, 0 failed"

# A mutated policy: the databases' deny gone. The expectation that needs it fails, readably.
awk -v RS= -v ORS='\n\n' '!/g-sre-no-prod-db/' "$D/access.example.toml" > "$T/mutated.toml"
grep -q 'g-sre-no-prod-db' "$T/mutated.toml" && fail "the mutation did not happen"
LEURA_ACCESS_FILE=$T/mutated.toml leura access test "$D/access.expect.toml"
expect_rc 1
expect_out "^FAIL $D/access.expect.toml:11: alice run deploy/app -i production on web01,db1: expected denied, but allowed: .*g-sre-deploy"
expect_out "^12 expectations, 1 failed"

# check: 0 allowed, 4 denied, naming the rule, its line and reason.
leura access check --as alice run deploy/app -i production -t web01,web02
expect_rc 0
expect_out "^allowed: user:alice run .*by grant 'g-sre-deploy' \(access.toml:16\)"
leura access check --as alice run deploy/app -i production -t web01,db1
expect_rc 4
expect_out "^denied: .*by deny 'g-sre-no-prod-db' \(access.toml:24\): production databases"
leura access check --as mallory view deploy/app
expect_rc 4
expect_out "no grant allows it"
leura access check --as alice fly deploy/app
expect_rc 2
expect_err "unknown action 'fly'"

leura access explain --as erin
expect_rc 0
expect_out "^user:erin, groups: devs"
expect_out "^allow run .*g-devs-staging access.toml:34"
expect_out "^deny  run .*g-erin-no-restart access.toml:50\]  in training"

leura access who-can run web/restart -i staging
expect_rc 0
expect_out "^group:devs +by g-devs-staging"
expect_out "^group:sre +by g-sre-deploy"
expect_out "^user:erin +denied by g-erin-no-restart"

# grant and revoke edit the text: comments survive; revoking restores the file.
cp "$LEURA_ACCESS_FILE" "$T/before.toml"
leura access grant group:devs logs --task 'deploy/*' --inventory staging --runs all \
  --reason "read deploys" --id g-devs-read
expect_rc 0
expect_out "added grant g-devs-read"
diff "$T/before.toml" "$LEURA_ACCESS_FILE" > "$T/added.diff" || true
grep -q '^> id = "g-devs-read"' "$T/added.diff" || fail "no grant block added"
grep -q '^<' "$T/added.diff" && fail "a line of the old file changed: $(cat "$T/added.diff")"
grep -q '^# SREs deploy anywhere' "$LEURA_ACCESS_FILE" || fail "a comment was lost"
[ "$(stat -c %a "$LEURA_ACCESS_FILE")" = 644 ] || fail "mode changed"
leura access check --as dave logs deploy/app -i staging
expect_rc 0

# diff: what the edited policy grants that the old one did not.
leura access diff "$T/before.toml"
expect_rc 0
expect_out "^- revoke group:devs +logs +task deploy/\* inventory staging +\(was by g-devs-read\)"

leura access revoke g-devs-read
expect_rc 0
cmp "$T/before.toml" "$LEURA_ACCESS_FILE" || fail "revoke did not restore the file"
leura access revoke g-sre-deplyo
expect_rc 2
expect_err "no grant 'g-sre-deplyo' in the policy; did you mean 'g-sre-deploy'\?"

# A generated id is stable; group and user edits.
leura access grant frank view --task '*'
expect_rc 0
id=$(sed -n 's/^added grant \(g-[0-9a-f]\{8\}\) .*/\1/p' "$T/out")
[ -n "$id" ] || fail "no generated id: $(cat "$T/out")"
leura access group add ops --unix wheel
leura access group member add ops frank
expect_rc 0
leura access group list
expect_out "^ops +unix:wheel +frank"
leura access user rm frank
expect_rc 2
expect_err "grants name only user 'frank': $id"
leura access revoke "$id"
leura access user rm frank
expect_rc 0
leura access group rm ops
expect_rc 0
cmp "$T/before.toml" "$LEURA_ACCESS_FILE" || fail "the edits did not undo cleanly"

# An invalid policy: every problem at file:line:col, and status says deny all but root.
printf '[[grant]]\nid = "x"\nwho = ["usr:bob"]\nalow = ["run"]\n' > "$LEURA_ACCESS_FILE"
leura access check --as bob run x
expect_rc 2
expect_err "^$LEURA_ACCESS_FILE:3:8: error: 'usr:bob' is not a principal"
expect_err "^$LEURA_ACCESS_FILE:4:1: error: unknown key 'alow' in grant 1; did you mean 'allow'\?"
leura access status
expect_out "^access control: deny all but root"
expect_out "why: .*access.toml:3:8: 'usr:bob' is not a principal"
leura access grant bob run --task x
expect_rc 2
expect_err "the policy is invalid"
