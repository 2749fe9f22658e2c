mod missing_too;

pub fn f() {
    t::reject!(three);
}
