function s = valid_compact_case()
% Another output variable name, several statements on a line, one-line matrices, a 12-column branch
% (ANGMAX defaults to 360), baseMVA 50, and a local function whose assignments are not the case's.
s.version = '2'; s.baseMVA = 50;
s.bus = [10 3 0 0 0 0 1 1 0 138 1 1.1 0.9; 20 1 50 10 0 0 1 1 0 138 1 1.1 0.9];
s.gen = [10 50 0 99 -99 1 100 1 100 0];
s.branch = [10 20 0.01 0.1 0 0 0 0 0 0 1 -60];
s.extra = helper();

function x = helper()
s.bus = [];   % a local function's variables are not the case's
x = 1;
