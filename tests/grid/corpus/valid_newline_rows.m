function mpc = valid_newline_rows
% Rows separated by newlines only (no ';'), values separated by commas, and the closing '];' on the last
% row's line. Gen rows have the minimum 10 columns, branch rows the minimum 11 (ANGMIN/ANGMAX default).
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
  1, 3, 0, 0, 0, 0, 1, 1.06, 0, 230, 1, 1.1, 0.9
  2, 2, 21.7, 12.7, 0, 0, 1, 1.045, -4.98, 230, 1, 1.1, 0.9
  3, 1, 94.2, 19, 0, 19, 2, 1.01, -12.72, 115, 2, 1.06, 0.94]
mpc.gen = [
  1, 232.4, -16.9, 10, 0, 1.06, 100, 1, 332.4, 0
  2, 40, 42.4, 50, -40, 1.045, 100, 1, 140, 0];
mpc.branch = [
  1, 2, 0.01938, 0.05917, 0.0528, 0, 0, 0, 0, 0, 1
  2, 3, 0, 0.20912, 0, 0, 0, 0, 0.978, -3.5, 0,];
