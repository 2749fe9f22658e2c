'1a x
