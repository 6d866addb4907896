# Named steps and their durations, for the check scripts (bash; sourced).
#   step NAME        prints "== NAME" and starts timing it (ending the step before)
#   step_timings     ends the last step and prints every step's seconds and the total
steps_t0=$(date +%s)
steps_tstep=$steps_t0
steps_current=""
steps_timings=""

step() {
    local now
    now=$(date +%s)
    if [ -n "$steps_current" ]; then
        steps_timings+=$(printf '  %-56s %5ss' "$steps_current" $((now - steps_tstep)))$'\n'
    fi
    steps_current=$1
    steps_tstep=$now
    printf '\n== %s\n' "$1"
}

step_timings() {
    step "done"
    printf '\nTimings:\n%s  Total %ss\n' "$steps_timings" $(($(date +%s) - steps_t0))
}
