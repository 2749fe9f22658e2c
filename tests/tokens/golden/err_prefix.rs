foo"bar" k#x z'c'
