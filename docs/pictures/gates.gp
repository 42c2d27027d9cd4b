# The picture 'gates', drawn by tapegrad from its own numbers (tapegrad graph gates).
# tapegrad sets outfile (and outtext) to temporary files and puts them in
# place once they are whole; run by hand, the script draws the files below.
if (!exists("outfile")) outfile = 'docs/pictures/gates.png'
set terminal pngcairo noenhanced size 900,1400 font ',10'
set output outfile
set multiplot layout 7,1 title 'The LSTM of the time-series model (section 4.1) reading one test window; embedded series, seed 42, 5 epochs'
set lmargin at screen 0.08
set rmargin at screen 0.86
set xrange [-0.5:31.5]
set xtics 4
set title 'the window: the input series x_t'
set ylabel 'x_t'
set grid
plot 'docs/pictures/gates.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 notitle
unset grid
set ylabel 'unit'
set yrange [-0.5:63.5]
set ytics 16
set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:1]
set title 'i_t, input gate'
plot 'docs/pictures/gates.dat' index 1 using 1:2:3 with image notitle
set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:1]
set title 'f_t, forget gate'
plot 'docs/pictures/gates.dat' index 2 using 1:2:3 with image notitle
set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:1]
set title 'o_t, output gate'
plot 'docs/pictures/gates.dat' index 3 using 1:2:3 with image notitle
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-0.954:0.954]
set title '~c_t, candidate'
plot 'docs/pictures/gates.dat' index 4 using 1:2:3 with image notitle
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-5.277:5.277]
set title 'c_t, cell state'
plot 'docs/pictures/gates.dat' index 5 using 1:2:3 with image notitle
set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')
set cbrange [-0.890:0.890]
set xlabel 'window step t (an LSTM column is drawn over the steps its pooled input has read)'
set title 'h_t, hidden state'
plot 'docs/pictures/gates.dat' index 6 using 1:2:3 with image notitle
unset multiplot
