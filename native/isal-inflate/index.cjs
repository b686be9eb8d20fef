'use strict';
// The compiled addon; see src/inflate.c for its interface.
module.exports = require('./build/Release/isal_inflate.node');
