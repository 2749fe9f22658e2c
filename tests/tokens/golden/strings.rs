"" "hello" "a\"b" "\n\r\t\\\0\'" "\x7f\u{1F600}" "multi
line" "continued \
    here" "tab	in" "Σ🦀" "suffix"sfx
b"" b"bytes\xff\n" b"\"q\"" b"cont\
    inued"
