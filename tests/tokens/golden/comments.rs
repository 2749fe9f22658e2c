// line comment
a /* block */ b /* nested /* inner */ still */ c
//// four slashes: not doc
/*** three stars: not doc */
/**/ /***/ d
/* multi
   line */ e // trailing
