'' 'ab' ''' '	' b'' b'ab' b'é' b"é" br"é" b'	'
