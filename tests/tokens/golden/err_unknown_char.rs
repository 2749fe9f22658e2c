a \ b ` c € d
