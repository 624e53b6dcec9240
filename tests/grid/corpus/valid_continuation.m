function mpc = valid_continuation
%{
A block comment: mpc.bus = [ nothing here is read ];
%}
mpc.version = '2';   % a trailing comment
mpc.baseMVA = ...  the rest of a continued line is ignored
    100;

%% bus data, with the four OPF result columns after VMIN
mpc.bus = [
	1	3	0	0	0	0	1	1	0	345	1	1.1	0.9	0.5	0	0	0;  % extra OPF columns
	2	1	.5	-2.5e1	0	0	1	1	0	345	1	Inf	0	0.5	0	0	0;
	3	1	1e-3	+4	0	0	1	1	0	345	1	1.1	0.9	0.5	0	0	0	% no ';', a newline ends the row

	4	4	10	0	0	0	1	1	0	345	1	1.1 ...  the row goes on on the next line
	   0.9	0.5	0	0	0;
];
mpc.gen = [ 1 0 0 300 -300 1.04 100 1 250 10 0 0 0 0 0 0 0 0 0 0 0;
	2 63 0 Inf -Inf 1.025 100 0 300 10 0 0 0 0 0 0 0 0 0 0 0 ];  % '...' and ']' in a comment

%% costs (polynomial, padded with a zero; piecewise linear), then sections the reader skips: areas, a
%% struct field, another cell array
mpc.gencost = [
	2	0	0	3	0.11	5	0	0;
	1	0	0	2	0	0	100	500;
];
mpc.areas = [1 1];
mpc.softlims.VMAX.hl_mod = 'remove';   % a struct field
mpc.bus_geo = { 'a ]'; 'b'' };' };

mpc.branch = [1 2 0.01 0.085 0.176 250 250 250 0 0 1 -30 30; ...
	2 3 0 0.0576 0 250 250 250 1.05 2 1 -360 360
	3 4 0.017 0 0.158 0 0 0 0 0 0 -360 360];
mpc.gentype = { 'ST'; 'W2' };
mpc.genfuel = {
	'coal'	% a comment
	'it''s wind';
};
mpc.bus_name = { 'ONE'; 'TWO'; "THREE"; 'FOUR ''4''' };
