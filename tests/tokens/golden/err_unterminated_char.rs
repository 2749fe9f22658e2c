let c = '  ;
let d = b'a
